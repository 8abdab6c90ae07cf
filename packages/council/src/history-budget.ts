import type { ConversationTurn } from './prompts.js';
import type { ChatMessage } from './upstream/upstream.types.js';
import { IMAGE_TOKEN_ESTIMATE } from './attachments.js';

/**
 * Keeps a long conversation inside a model's context window. Without it a 30-turn conversation
 * fails at stage 3 (the chairman's prompt holds the whole history plus every answer and review)
 * with a context-length error the user can do nothing about. Oldest turns go first, and the
 * prompt says how many were left out so the model does not assume it saw everything.
 */

/** About 3 characters per token: on the safe side of the usual 4 for English, so we cut early. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 3);
}

/**
 * A prompt's tokens as estimated before it is sent: its text plus a few tokens of framing per
 * message, and `IMAGE_TOKEN_ESTIMATE` for each image part.
 */
export function estimatePromptTokens(messages: ChatMessage[]): number {
  // A few tokens of framing per message (role markers) on top of the text.
  return messages.reduce(
    (sum, m) => sum + estimateTokens(m.content) + (m.images?.length ?? 0) * IMAGE_TOKEN_ESTIMATE + 8,
    0,
  );
}

/**
 * Builds the stage's messages with as many of the newest turns as fit. `build` receives the kept
 * turns and how many older ones were dropped. Unknown context lengths keep everything.
 */
export function fitToContext(
  history: ConversationTurn[],
  contextLength: number | null | undefined,
  maxTokens: number | null,
  build: (kept: ConversationTurn[], omitted: number) => ChatMessage[],
): ChatMessage[] {
  if (!contextLength || history.length === 0) return build(history, 0);
  // Room for the reply: the stage's limit if set, else a quarter of the window (at most 8k).
  const reserve = maxTokens ?? Math.min(8_000, Math.floor(contextLength / 4));
  let budget = contextLength - reserve - estimatePromptTokens(build([], history.length)) - 64;
  const kept: ConversationTurn[] = [];
  for (let i = history.length - 1; i >= 0; i--) {
    const turn = history[i] as ConversationTurn;
    const cost = estimateTokens(turn.question) + estimateTokens(turn.answer) + 24;
    if (cost > budget) break;
    budget -= cost;
    kept.unshift(turn);
  }
  return build(kept, history.length - kept.length);
}
