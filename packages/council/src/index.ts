// Public API of @llm-council/council: the event contract, the upstream client, prompts, ranking
// and the runner. The fake upstream is a separate entry point: '@llm-council/council/fake-upstream'.

export * from './events.js';

export { createChatClient, defaultChatTimeouts } from './upstream/chat-client.js';
export { fetchKeyInfo, fetchModels } from './upstream/provider-catalog.js';
export type { KeyCheck, KeyInfo, ModelInfo } from './upstream/provider-catalog.js';
export {
  UpstreamError,
  codeForStatus,
  councilErrorCodes,
  toCouncilError,
  upstreamErrorCodes,
  upstreamErrorMessages,
} from './upstream/upstream.errors.js';
export type { UpstreamErrorCode } from './upstream/upstream.errors.js';
export { defaultRetryOptions, parseRetryAfter } from './upstream/retry-policy.js';
export type {
  ChatClient,
  ChatClientOptions,
  ChatFn,
  ChatMessage,
  ChatRequest,
  ChatResult,
  ChatTimeouts,
  RetryOptions,
  SleepFn,
} from './upstream/upstream.types.js';

export { buildChairmanMessages, buildStage1Messages, buildTitleMessages } from './prompts.js';
export type { ConversationTurn, LabelledAnswer, ReviewStageNotes, ReviewText } from './prompts.js';
export { buildRepairMessages, buildReviewMessages } from './review-prompts.js';
export { readRanking } from './ranking/parse-ranking.js';
export type { ParsedRanking, RankingStatus } from './ranking/parse-ranking.js';
export { aggregateBallots } from './ranking/aggregate.js';
export type { AggregateRow, Ballot } from './ranking/aggregate.js';
export { measureAgreement } from './ranking/agreement.js';
export { assignLabels, labelFor, presentationOrders } from './ranking/presentation.js';
export { defaultCouncilMethod } from './council-method.js';
export type { CouncilMethod } from './council-method.js';
export { cleanTitle, extractTitle, fallbackTitle, maxTitleLength } from './title.js';

export { runCouncil } from './runner.js';
export type { PreviousRunResults, RunCouncilDeps, RunCouncilInput } from './runner.js';
