import type { ConversationTurn, PreviousRunResults, Usage } from '@llm-council/council';
import type { CouncilRun } from '@llm-council/db';
import type { listResponsesOfRuns } from './council-runs.repository.js';
import { readReviewDetails } from './review-details.js';
import { answerSourcesSchema, readStored } from './stored-shapes.js';

/* What a run carries over from before it: the conversation's earlier turns, and an earlier run's work. */

/** Earlier turns brought with a new conversation, shaped as the stored messages they become. */
export function historyMessages(history: { question: string; answer: string }[]) {
  return history.flatMap(({ question, answer }) => [
    { role: 'user' as const, content: question, runId: null },
    { role: 'assistant' as const, content: answer, runId: null },
  ]);
}

/**
 * Earlier questions with the council's final answers (a question and its answer share a run id).
 * Turns brought from another tool (`conversations.create({ history })`) have no run: such a
 * question is answered by the run-less answer right after it.
 */
export function toHistory(
  messages: { role: 'user' | 'assistant'; content: string; runId: string | null }[],
): ConversationTurn[] {
  const answers = new Map(messages.filter((m) => m.role === 'assistant' && m.runId).map((m) => [m.runId, m.content]));
  return messages.flatMap((m, index) => {
    if (m.role !== 'user') return [];
    const next = messages[index + 1];
    const answer = m.runId
      ? answers.get(m.runId)
      : next?.role === 'assistant' && next.runId === null
        ? next.content
        : undefined;
    return answer === undefined ? [] : [{ question: m.content, answer }];
  });
}

/** The answers and reviews of a run that succeeded, for a retry or a regeneration to reuse. */
export function collectPrevious(
  run: CouncilRun,
  responses: Awaited<ReturnType<typeof listResponsesOfRuns>>,
): PreviousRunResults {
  const completed = responses.filter((r) => r.status === 'completed' && r.content !== null);
  const stage1: NonNullable<PreviousRunResults['stage1']> = {};
  const reviews: NonNullable<PreviousRunResults['reviews']> = {};
  for (const r of completed) {
    const usage = (r.usage as Usage | null) ?? null;
    if (r.stage === 'stage1') {
      const sources = readStored(answerSourcesSchema, r.sources) ?? [];
      stage1[r.model] = { content: r.content ?? '', usage, ...(sources.length > 0 && { sources }) };
    }
    if (r.stage === 'stage2') {
      // A retry keeps each review's reading order and parse status along with its ranking.
      const { shownOrder, rankingStatus, repaired } = readReviewDetails(r.reviewDetails);
      reviews[r.model] = {
        content: r.content ?? '',
        parsedRanking: r.parsedRanking ?? [],
        usage,
        ...(shownOrder.length > 0 && { shownOrder }),
        ...(rankingStatus !== null && { rankingStatus }),
        repaired,
      };
    }
  }
  return { stage1, reviews, ...(run.labelToModel ? { labelToModel: run.labelToModel } : {}) };
}
