import { getAppErrorCode, getFieldErrors, getRetryAfterSeconds, type AppErrorCode } from '@llm-council/sdk';

export interface UiError {
  message: string;
  code: AppErrorCode | null;
  retryAfterSeconds: number | null;
  fieldErrors: Record<string, string[]>;
}

const NETWORK_MESSAGE = 'Cannot reach the server. Check your connection and try again.';

/**
 * Turns whatever a failed SDK call rejected with into what the UI shows. Server messages for
 * expected failures are written for users (the API replaces internal errors with a generic text),
 * so they are shown as they are; an error without server data never reached the server.
 */
export function describeError(error: unknown): UiError {
  const code = getAppErrorCode(error);
  const retryAfterSeconds = getRetryAfterSeconds(error);
  const fieldErrors = getFieldErrors(error);
  const hasServerData = typeof error === 'object' && error !== null && 'data' in error && Boolean(error.data);
  let message = error instanceof Error && hasServerData ? error.message : NETWORK_MESSAGE;
  if (code === 'RATE_LIMITED' || retryAfterSeconds !== null) {
    message = rateLimitMessage(retryAfterSeconds);
  }
  return { message, code, retryAfterSeconds, fieldErrors };
}

export function rateLimitMessage(seconds: number | null): string {
  if (seconds === null) return 'Too many attempts. Please wait a moment and try again.';
  return `Too many attempts. Try again in ${formatWait(seconds)}.`;
}

function formatWait(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.ceil(seconds))} seconds`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

/** Codes (app or council) that the user fixes on the Settings page. */
const KEY_PROBLEMS = new Set([
  'NO_API_KEY',
  'API_KEY_UNREADABLE',
  'API_KEY_REJECTED',
  'UPSTREAM_AUTH',
  'UPSTREAM_NO_CREDIT',
]);

export function isKeyProblem(code: string | null | undefined): boolean {
  return code != null && KEY_PROBLEMS.has(code);
}
