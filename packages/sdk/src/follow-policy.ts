import { isUnauthorized } from './errors.js';

/*
 * How every client follows a run's event stream when it drops: the SDK's `followRun`, hence the
 * web client's live view and the CLI. One policy, so a browser tab and a script behave alike.
 */

/**
 * What a failed event stream means to a client:
 * - `signed-out`: the session is over (UNAUTHORIZED) — sign in again, reconnecting cannot help;
 * - `refused`: the server answered and no retry changes it (the run is not yours, bad input, …);
 * - `transient`: a dropped connection, a restarting or busy server — reconnect and resume.
 */
export type FollowErrorCategory = 'signed-out' | 'refused' | 'transient';

/** tRPC codes no reconnect can change. Anything else (network errors, 5xx, 429) is transient. */
const refusalCodes: ReadonlySet<string> = new Set([
  'BAD_REQUEST',
  'PARSE_ERROR',
  'FORBIDDEN',
  'NOT_FOUND',
  'METHOD_NOT_SUPPORTED',
  'CONFLICT',
  'PRECONDITION_FAILED',
  'PAYLOAD_TOO_LARGE',
  'UNPROCESSABLE_CONTENT',
  'NOT_IMPLEMENTED',
]);

/**
 * Sorts a failure of `council.events` into what the client should do about it.
 *
 * @example
 * if (categorizeFollowError(error) === 'signed-out') showSignIn();
 */
export function categorizeFollowError(error: unknown): FollowErrorCategory {
  if (isUnauthorized(error)) return 'signed-out';
  const code = (error as { data?: { code?: unknown } | null } | null)?.data?.code;
  return typeof code === 'string' && refusalCodes.has(code) ? 'refused' : 'transient';
}

/**
 * Reconnects after a dropped stream: the first after 0.5 s, then doubling up to 10 s. Ten in a
 * row without an event in between (about a minute: longer than a server restart) and the client
 * gives up; any event delivered starts the count again.
 */
export const reconnectPolicy = { firstDelayMs: 500, maxDelayMs: 10_000, maxAttempts: 10 } as const;

/** The wait before reconnect number `attempt` (1-based). */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(reconnectPolicy.firstDelayMs * 2 ** (attempt - 1), reconnectPolicy.maxDelayMs);
}
