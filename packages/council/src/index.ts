// Public API of @llm-council/council: what the API and the server use — the event contract, the
// runner, the chat client and its timeouts, the provider's key and model endpoints, and the
// wording of upstream errors. Everything else (prompts, ranking, retry policy) is the engine's own.
// The fake upstream is a separate entry point: '@llm-council/council/fake-upstream'.

export * from './events.js';

export { minimumAnswers, runCouncil } from './runner.js';
export type { PreviousRunResults } from './runner.js';
export type { ConversationTurn } from './prompts.js';
export type { QuestionAttachment } from './attachments.js';
// What a run and each of its calls will read and write, estimated before they start (budgets).
export { estimateRunTokens } from './run-estimate.js';
export { estimatePromptTokens } from './history-budget.js';

export { createChatClient } from './upstream/chat-client.js';
// The server reads upstreams through '@llm-council/council/node-transport'; fetch works anywhere.
export { fetchTransport } from './upstream/fetch-transport.js';
export type { ChatFn, ChatMessage, ChatTimeouts, UpstreamTransport } from './upstream/upstream.types.js';
export { fetchKeyInfo, fetchModels } from './upstream/provider-catalog.js';
export type { ModelInfo } from './upstream/provider-catalog.js';
export { CallRefusedError, UpstreamError, upstreamErrorMessages } from './upstream/upstream.errors.js';

export { defaultCouncilMethod } from './council-method.js';
// The street-cred count, for runs rebuilt from files (imports) rather than run here.
export { aggregateBallots } from './ranking/aggregate.js';
// The verdict in plain words of a run stored before verdicts were kept.
export { verdictFromReviews } from './verdict.js';
export type { CouncilMethod } from './council-method.js';
