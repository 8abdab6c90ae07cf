import type { RetryOptions, SleepFn } from './upstream.types.js';
import type { UpstreamError } from './upstream.errors.js';

export const defaultRetryOptions: RetryOptions = {
  maxRetries: 2,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 20_000,
};

/**
 * Reads a `Retry-After` header: either delay-seconds or an HTTP date. Returns milliseconds from
 * `nowMs`, or undefined when absent or unreadable (the caller then falls back to back-off).
 */
export function parseRetryAfter(value: string | null, nowMs: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/**
 * "Full jitter" exponential back-off: a uniform wait in [0, min(max, base·2^attempt)). Spreading
 * retries out keeps many runs that hit the same 429 from retrying in lock-step.
 */
export function computeBackoffDelay(
  retryIndex: number,
  options: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs'>,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** retryIndex);
  return Math.floor(random() * ceiling);
}

/**
 * Decides whether and how long to wait before retrying `error`. Returns undefined to give up:
 * not retryable, out of attempts, or the server asked for a longer pause than we are willing
 * to hold a council run for (retrying early would only earn another 429).
 */
export function planRetry(
  error: UpstreamError,
  retryIndex: number,
  options: RetryOptions,
  random: () => number,
): number | undefined {
  if (!error.retryable || retryIndex >= options.maxRetries) return undefined;
  if (error.retryAfterMs !== undefined) {
    return error.retryAfterMs > options.maxRetryAfterMs ? undefined : error.retryAfterMs;
  }
  return computeBackoffDelay(retryIndex, options, random);
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error('Aborted', { cause: reason });
}

/** Default `SleepFn`: a timer that is cleared (and rejects) as soon as `signal` aborts. */
export const sleepWithSignal: SleepFn = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
