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

export { buildChairmanMessages, buildReviewMessages, buildStage1Messages, buildTitleMessages } from './prompts.js';
export type { ConversationTurn, LabelledAnswer, ReviewText } from './prompts.js';
export { aggregateRankings, labelFor, parseRanking } from './ranking.js';
export { cleanTitle, extractTitle, fallbackTitle, maxTitleLength } from './title.js';

export { runCouncil } from './runner.js';
export type { PreviousRunResults, RunCouncilDeps, RunCouncilInput } from './runner.js';
