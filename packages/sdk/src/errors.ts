import { TRPCClientError } from '@trpc/client';
import type { AppErrorCode } from '@llm-council/api/error-codes';
import type { AppRouter } from '@llm-council/api';

export { appErrorCodes, type AppErrorCode } from '@llm-council/api/error-codes';

/** The error every failed call rejects with; `data` carries the codes below. */
export type CouncilClientError = TRPCClientError<AppRouter>;

/**
 * The stable application code of a failed call (e.g. `NO_API_KEY`, `INVALID_CREDENTIALS`), or
 * null when the error did not come from the server.
 *
 * @example
 * try { await client.council.start.mutate({ conversationId, content }); }
 * catch (error) { if (getAppErrorCode(error) === 'NO_API_KEY') showSettings(); }
 */
export function getAppErrorCode(error: unknown): AppErrorCode | null {
  if (!(error instanceof TRPCClientError)) return null;
  const data = error.data as { appCode?: AppErrorCode | null } | undefined;
  return data?.appCode ?? null;
}

/**
 * Field-level validation messages of a BAD_REQUEST, keyed by input field (e.g. `email`).
 *
 * @example
 * const fields = getFieldErrors(error); // { password: ['Password must be at least 8 characters'] }
 */
export function getFieldErrors(error: unknown): Record<string, string[]> {
  if (!(error instanceof TRPCClientError)) return {};
  const data = error.data as { fieldErrors?: Record<string, string[]> | null } | undefined;
  return data?.fieldErrors ?? {};
}

/**
 * Seconds to wait before retrying a rate-limited call, or null.
 *
 * @example
 * const wait = getRetryAfterSeconds(error); // 42
 */
export function getRetryAfterSeconds(error: unknown): number | null {
  if (!(error instanceof TRPCClientError)) return null;
  const data = error.data as { retryAfterSeconds?: number | null } | undefined;
  return data?.retryAfterSeconds ?? null;
}

/** Whether a failure means "sign in again" (as opposed to "you may not"). */
export function isUnauthorized(error: unknown): boolean {
  return error instanceof TRPCClientError && (error.data as { code?: string } | undefined)?.code === 'UNAUTHORIZED';
}
