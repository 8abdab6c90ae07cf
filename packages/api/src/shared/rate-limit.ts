import type { Kysely } from 'kysely';
import type { Database } from '@llm-council/db';
import type { RateLimitRule } from '../config.js';
import { appError } from '../errors.js';
import type { Clock } from '../ports.js';
import { hitRateLimit } from './rate-limit.repository.js';

/**
 * Counts a hit against `key`; over the rule's limit it throws TOO_MANY_REQUESTS. `what` names
 * the hits in the message ("Too many uploads."), where "attempts" would leave the user guessing.
 */
export async function enforceRateLimit(
  deps: { db: Kysely<Database>; now: Clock },
  key: string,
  rule: RateLimitRule,
  what = 'attempts',
): Promise<void> {
  const result = await hitRateLimit(deps.db, key, rule, deps.now());
  if (!result.allowed) throw rateLimitedError(result.retryAfterSeconds, what);
}

/**
 * The error for a refused attempt. It carries the wait as `retryAfterSeconds`; the HTTP host
 * turns that into a `Retry-After` header, so this package never touches the response.
 */
export function rateLimitedError(retryAfterSeconds: number, what = 'attempts') {
  return appError('TOO_MANY_REQUESTS', 'RATE_LIMITED', `Too many ${what}. Try again in ${retryAfterSeconds} seconds.`, {
    retryAfterSeconds,
  });
}
