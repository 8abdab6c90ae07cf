import type { RateLimitRule } from '../config.js';
import type { Context } from '../context.js';
import { appError } from '../errors.js';
import { hitRateLimit } from './rate-limit.repository.js';

/** Counts a hit against `key`; over the rule's limit it throws TOO_MANY_REQUESTS with Retry-After. */
export async function enforceRateLimit(ctx: Context, key: string, rule: RateLimitRule): Promise<void> {
  const result = await hitRateLimit(ctx.db, key, rule, ctx.now());
  if (!result.allowed) throw rateLimitedError(ctx, result.retryAfterSeconds);
}

/** The error (and Retry-After header) for a refused attempt. */
export function rateLimitedError(ctx: Context, retryAfterSeconds: number) {
  ctx.setHeader('Retry-After', String(retryAfterSeconds));
  return appError(
    'TOO_MANY_REQUESTS',
    'RATE_LIMITED',
    `Too many attempts. Try again in ${retryAfterSeconds} seconds.`,
    {
      retryAfterSeconds,
    },
  );
}
