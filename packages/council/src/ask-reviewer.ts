import type { CouncilError, ReasoningEffort, Usage } from './events.js';
import type { CouncilMethod } from './council-method.js';
import type { ConversationTurn } from './prompts.js';
import { readRanking, type RankingStatus } from './ranking/parse-ranking.js';
import { buildRepairMessages, buildReviewMessages } from './review-prompts.js';
import type { RunContext } from './run-context.js';
import { fitToContext } from './history-budget.js';
import type { QuestionAttachment } from './attachments.js';

const reviewHistoryTurns = 3;

/** One finished review: what the reviewer wrote, what counts of it, and how it was obtained. */
export interface Review {
  reviewer: string;
  content: string;
  parsedRanking: string[];
  rankingStatus: RankingStatus;
  shownOrder: string[];
  repaired: boolean;
  repairContent?: string;
  finishReason: string | null;
  usage: Usage | null;
  durationMs: number;
}

export type ReviewOutcome = { ok: true; review: Review } | { ok: false; error: CouncilError };

export const isReadable = (status: RankingStatus | undefined): boolean => status === 'ok' || status === 'partial';

/**
 * Asks one reviewer for its review, in its own reading order. A review whose ranking is not `ok`
 * (unreadable, ambiguous, partial, cut off) gets exactly one short follow-up asking for the ranking
 * line alone; models that wander off-format usually comply when asked for nothing else.
 */
export async function askReviewer(
  run: RunContext,
  request: {
    reviewer: string;
    question: string;
    history: ConversationTurn[];
    order: string[];
    contentOf: (label: string) => string;
    nonce: string;
    signal: AbortSignal;
    contextLength: number | null;
    instructions?: string | null;
    reasoningEffort?: ReasoningEffort | null;
    /** The question's files: the reviewer is told their names. */
    attachments?: readonly QuestionAttachment[] | undefined;
  },
  method: CouncilMethod,
): Promise<ReviewOutcome> {
  const answers = request.order.map((label) => ({ label, content: request.contentOf(label) }));
  // Reviewers only need recent context to judge a follow-up; the full history would multiply cost by N.
  const recent = request.history.slice(-reviewHistoryTurns);
  const messages = fitToContext(recent, request.contextLength, method.maxTokens.stage2, (history, omitted) =>
    buildReviewMessages({
      ...request,
      history,
      omittedTurns: omitted + request.history.length - recent.length,
      answers,
    }),
  );
  const call = (callMessages: typeof messages) =>
    run.callModel({
      model: request.reviewer,
      messages: callMessages,
      signal: request.signal,
      maxTokens: method.maxTokens.stage2,
      temperature: method.reviewTemperature,
      reasoningEffort: request.reasoningEffort ?? null,
    });

  const first = await call(messages);
  if (!first.ok) return first;
  const parsed = readRanking(first.content, request.order, { finishReason: first.finishReason });
  const review: Review = {
    reviewer: request.reviewer,
    content: first.content,
    parsedRanking: parsed.ranking,
    rankingStatus: parsed.status,
    shownOrder: request.order,
    repaired: false,
    finishReason: first.finishReason,
    usage: first.usage,
    durationMs: first.durationMs,
  };
  if (parsed.status === 'ok') return { ok: true, review };

  const second = await call(buildRepairMessages({ review: messages, reply: first.content, labels: request.order }));
  // A failed follow-up leaves the first reading standing (a partial ranking still counts).
  if (!second.ok) return { ok: true, review: { ...review, repaired: true } };
  const reread = readRanking(second.content, request.order, { finishReason: second.finishReason });
  // A partial first ranking is not thrown away for a follow-up that says less.
  const repaired = isReadable(reread.status) || parsed.status !== 'partial' ? reread : parsed;
  return {
    ok: true,
    review: {
      ...review,
      parsedRanking: repaired.ranking,
      rankingStatus: repaired.status,
      repaired: true,
      repairContent: second.content,
      finishReason: second.finishReason,
      usage: addUsage(first.usage, second.usage),
      durationMs: first.durationMs + second.durationMs,
    },
  };
}

function addUsage(a: Usage | null, b: Usage | null): Usage | null {
  if (!a || !b) return a ?? b;
  return {
    promptTokens: a.promptTokens + b.promptTokens,
    completionTokens: a.completionTokens + b.completionTokens,
    totalTokens: a.totalTokens + b.totalTokens,
    cost: a.cost === null || b.cost === null ? null : a.cost + b.cost,
    ...((a.reasoningTokens ?? b.reasoningTokens) !== undefined && {
      reasoningTokens: (a.reasoningTokens ?? 0) + (b.reasoningTokens ?? 0),
    }),
  };
}
