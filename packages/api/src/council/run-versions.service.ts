import type { PreviousRunResults } from '@llm-council/council';
import type { CouncilRun } from '@llm-council/db';
import type { SignedInUser } from '../context.js';
import { findQuestion } from '../conversations/conversations.service.js';
import { appError, notFound } from '../errors.js';
import { startRun } from './council.service.js';
import { findRunForUser, listResponsesOfRuns } from './council-runs.repository.js';
import type { CouncilDeps } from './run-admission.service.js';
import { collectPrevious } from './run-history.js';

/* New versions of a turn — an edited question, a regenerated answer — each started as a run is. */

/**
 * Asks an edited version of a question: a new branch from that point, with the council that
 * answered the original (the old question and its run stay, one "version" switch away).
 */
export async function editQuestion(
  ctx: CouncilDeps,
  session: SignedInUser,
  input: { messageId: string; content: string; clientRequestId?: string | undefined },
): Promise<{ runId: string; messageId: string; conversationId: string }> {
  const question = await findQuestion(ctx.db, session.userId, input.messageId);
  if (!question) throw notFound('Question');
  const run = question.runId ? await findRunForUser(ctx.db, session.userId, question.runId) : undefined;
  return startRun(ctx, session, {
    conversationId: question.conversationId,
    editOf: question.id,
    content: input.content,
    clientRequestId: input.clientRequestId,
    ...(run && askedLike(run)),
  });
}

/**
 * A new version of a finished turn: the same question asked again as a sibling of it, reusing
 * the run's work. Without `model`: every answer and review is reused and only the chairman writes
 * again (a review that had failed is asked again). With `model`: that model answers again, then
 * every review and the synthesis run again over the new set; the other answers are reused.
 * Admitted exactly as a start is (it is one: `startRun`), for the calls it will make.
 */
export async function regenerateRun(
  ctx: CouncilDeps,
  session: SignedInUser,
  input: { runId: string; model?: string | undefined; clientRequestId?: string | undefined },
): Promise<{ runId: string; messageId: string; conversationId: string }> {
  const run = await findRunForUser(ctx.db, session.userId, input.runId);
  if (!run) throw notFound('Run');
  if (run.status !== 'completed') {
    throw appError(
      'CONFLICT',
      'RUN_NOT_REGENERABLE',
      `This run is ${run.status}; only a finished run can be regenerated`,
    );
  }
  if (input.model !== undefined && !run.models.includes(input.model)) {
    throw appError('BAD_REQUEST', 'VALIDATION_FAILED', `model: ${input.model} is not in this run's council`);
  }
  const question = await findQuestion(ctx.db, session.userId, run.userMessageId);
  if (!question) throw notFound('Question');
  const previous = collectPrevious(run, await listResponsesOfRuns(ctx.db, [run.id]));
  const answered = run.models.filter((m) => previous.stage1?.[m] !== undefined);
  const kept = Object.fromEntries(Object.entries(previous.stage1 ?? {}).filter(([model]) => model !== input.model));
  // A new answer changes what every review read: reviews and labels are made again.
  const reuse: PreviousRunResults = input.model === undefined ? previous : { stage1: kept, reviews: {} };
  return startRun(ctx, session, {
    conversationId: question.conversationId,
    editOf: question.id,
    content: question.content,
    // A version of the same turn, asked the way the run was asked; the synthesis alone reads the
    // answers the run had (a model that had failed stays out).
    ...askedLike(run),
    models: input.model === undefined ? answered : run.models,
    clientRequestId: input.clientRequestId,
    reuse,
  });
}

/** How a run was asked — its council, mode and standing settings — for a new version of its turn. */
function askedLike(run: CouncilRun) {
  return {
    models: run.models,
    chairmanModel: run.chairmanModel,
    provider: run.provider,
    mode: run.mode,
    instructions: run.instructions,
    reasoningEffort: run.reasoningEffort,
    webSearch: run.webSearch,
  };
}
