import { expect, test } from 'vitest';
import { computeBackoffDelay, defaultRetryOptions, parseRetryAfter, planRetry } from './retry-policy.js';
import { UpstreamError, errorForStatus } from './upstream.errors.js';

test('parseRetryAfter reads delay-seconds and HTTP dates', () => {
  const now = Date.parse('2025-11-26T10:00:00Z');
  expect(parseRetryAfter('3', now)).toBe(3_000);
  expect(parseRetryAfter('0.5', now)).toBe(500);
  expect(parseRetryAfter('Wed, 26 Nov 2025 10:00:07 GMT', now)).toBe(7_000);
  expect(parseRetryAfter('Wed, 26 Nov 2025 09:00:00 GMT', now)).toBe(0);
  expect(parseRetryAfter('soon', now)).toBeUndefined();
  expect(parseRetryAfter(null, now)).toBeUndefined();
});

test('back-off grows exponentially up to the cap, scaled by jitter', () => {
  const options = { baseDelayMs: 500, maxDelayMs: 8_000 };
  const top = () => 0.999_999;
  expect(computeBackoffDelay(0, options, top)).toBe(499);
  expect(computeBackoffDelay(3, options, top)).toBe(3_999);
  expect(computeBackoffDelay(10, options, top)).toBe(7_999);
  expect(computeBackoffDelay(3, options, () => 0)).toBe(0);
});

test('planRetry honours Retry-After, gives up past the cap and after maxRetries', () => {
  const rateLimited = errorForStatus(429, { retryAfterMs: 1_500 });
  expect(planRetry(rateLimited, 0, defaultRetryOptions, () => 0.5)).toBe(1_500);
  expect(planRetry(rateLimited, 2, defaultRetryOptions, () => 0.5)).toBeUndefined();
  const tooLong = errorForStatus(429, { retryAfterMs: 60_000 });
  expect(planRetry(tooLong, 0, defaultRetryOptions, () => 0.5)).toBeUndefined();
});

test('only network errors, 408, 429, 502 and 503 are retryable', () => {
  const retryable = [400, 401, 402, 403, 404, 408, 429, 500, 502, 503, 504].filter(
    (status) => errorForStatus(status).retryable,
  );
  expect(retryable).toEqual([408, 429, 502, 503]);
  expect(planRetry(new UpstreamError('UPSTREAM_NETWORK', { retryable: true }), 0, defaultRetryOptions, () => 0)).toBe(
    0,
  );
});
