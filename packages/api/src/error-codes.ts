/**
 * Stable application error codes. The tRPC code says what kind of failure it is (NOT_FOUND,
 * UNAUTHORIZED…); the app code says which one, so a client can tell NO_API_KEY from
 * INVALID_CREDENTIALS without parsing messages. Dependency-free: the SDK bundles this file.
 */
export const appErrorCodes = [
  'INVALID_CREDENTIALS',
  'EMAIL_TAKEN',
  'WEAK_PASSWORD',
  'RATE_LIMITED',
  'SESSION_EXPIRED',
  'CSRF_REJECTED',
  'NOT_FOUND',
  'NO_API_KEY',
  'API_KEY_UNREADABLE',
  'API_KEY_REJECTED',
  'UNKNOWN_PROVIDER',
  'UNKNOWN_MODEL',
  'RUN_LIMIT_REACHED',
  'STREAM_LIMIT_REACHED',
  'RUN_NOT_RETRYABLE',
  'RUN_NOT_REGENERABLE',
  'RUN_NOT_ACTIVE',
  'VALIDATION_FAILED',
  'IMPORT_INVALID',
  'IMPORT_QUOTA_EXCEEDED',
  'STORAGE_LIMIT_REACHED',
  'PAYLOAD_TOO_LARGE',
  'ACCESS_TOKEN_INVALID',
  'ACCESS_TOKEN_FORBIDDEN',
  'ACCESS_TOKEN_LIMIT_REACHED',
  'DATABASE_UNAVAILABLE',
  'SERVER_BUSY',
  'INTERNAL',
  'REGISTRATION_CLOSED',
  'INVITE_INVALID',
  'ACCOUNT_DISABLED',
  'MODEL_NOT_ALLOWED',
  'BUDGET_EXCEEDED',
  'COUNCIL_NAME_TAKEN',
  'COUNCIL_READ_ONLY',
] as const;

export type AppErrorCode = (typeof appErrorCodes)[number];
