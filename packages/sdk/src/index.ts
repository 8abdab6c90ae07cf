export { createCouncilClient, type CouncilClient, type CouncilClientOptions } from './client.js';
export { memoryTokenStore, type StoredSession, type TokenStore } from './token-store.js';
export {
  appErrorCodes,
  getAppErrorCode,
  getFieldErrors,
  getRetryAfterSeconds,
  isUnauthorized,
  type AppErrorCode,
  type CouncilClientError,
} from './errors.js';
export type { AppRouter, RouterInputs, RouterOutputs } from './types.js';
export type { Transport } from './session.js';
export { ask, followRun, type AskOptions, type FollowOptions, type RunEvent, type RunEventEnvelope } from './ask.js';
