export { createCouncilClient, type CouncilClient, type CouncilClientOptions } from './client.js';
export { memoryTokenStore, type StoredSession, type TokenStore } from './token-store.js';
export { AttachmentError, type Attachment } from './attachments.js';
export {
  appErrorCodes,
  getAppErrorCode,
  getFieldErrors,
  getRetryAfterSeconds,
  isUnauthorized,
  type AppErrorCode,
  type CouncilClientError,
} from './errors.js';
export type { AppRouter, CouncilVerdict, PeerRankingRow, RouterInputs, RouterOutputs } from './types.js';
export type { Transport } from './session-keeper.js';
export {
  ask,
  followRun,
  type AskOptions,
  type FollowOptions,
  type RunEvent,
  type RunEventEnvelope,
  type RunEventSource,
} from './ask.js';
export { askCouncil, CouncilRunError, type AskCouncilOptions, type CouncilAnswer } from './ask-council.js';
// Following a run, shared by every client: error categories, the reconnect policy, the reducer.
export { categorizeFollowError, reconnectDelayMs, reconnectPolicy, type FollowErrorCategory } from './follow-policy.js';
export { applyRunEvent, stopInFlight } from './run-reducer.js';
export {
  createRunState,
  emptyAnswer,
  emptyReview,
  isLive,
  standingAnswer,
  type AggregateRanking,
  type Agreement,
  type AnswerSlot,
  type CouncilError,
  type CouncilMode,
  type RankingStatus,
  type ReviewSlot,
  type RunRecord,
  type RunState,
  type SlotStatus,
  type StagePhase,
  type Usage,
} from './run-state.js';
// The limits and names the server enforces, so a client can check input before sending it.
export {
  ACCESS_TOKEN_MAX_EXPIRY_DAYS,
  ACCESS_TOKEN_NAME_MAX_LENGTH,
  ACCESS_TOKEN_PREFIX,
  ACCESS_TOKENS_PER_USER,
  accessTokenScopes,
  type AccessTokenScope,
  COUNCIL_MAX_MODELS,
  COUNCIL_MIN_MODELS,
  councilSlug,
  DEFAULT_PROVIDER_ID,
  DEFAULT_TITLE,
  INSTRUCTIONS_MAX_LENGTH,
  MATHS_FORMULA_MAX_LENGTH,
  MATHS_MAX_FORMULAS,
  MATHS_MAX_TOTAL_LENGTH,
  MAX_BATCH_SIZE,
  MESSAGE_MAX_LENGTH,
  TITLE_MAX_LENGTH,
  activeRunStatuses,
  isActiveRunStatus,
  isRetryableRunStatus,
  retryableRunStatuses,
  runStatuses,
  sharedPlaces,
  type RunStatus,
  verdictHeadlines,
} from '@llm-council/api/constants';
