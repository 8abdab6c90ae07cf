import { isRetryableRunStatus } from '../constants.js';
import { branchPath, listMessages } from '../conversations/conversations.service.js';
import { appError, notFound } from '../errors.js';
import { assertRunFitsDailyBudget, reservationForRetry } from '../spend/spend.service.js';
import { findProvider } from '../settings/providers.js';
import { claimRunForRetry, findRunForUser, listResponsesOfRuns } from './council-runs.repository.js';
import {
  admitModels,
  assertBelowRunLimit,
  callLimitsFor,
  chairmanIn,
  enforceRunRate,
  estimateReservation,
  type CouncilDeps,
} from './run-admission.service.js';
import { collectPrevious, toHistory } from './run-history.js';
import { attachmentsOfQuestion } from '../attachments/attachments.service.js';
import { withImageInput } from './run-attachments.js';

/**
 * Runs a failed, cancelled or interrupted run again, reusing every stage-1 answer (and, when
 * stage 1 is complete, every review) that already succeeded: only what failed is asked again.
 */
export async function retryRun(ctx: CouncilDeps, userId: string, runId: string): Promise<{ runId: string }> {
  const run = await findRunForUser(ctx.db, userId, runId);
  if (!run) throw notFound('Run');
  if (!isRetryableRunStatus(run.status)) {
    throw appError(
      'CONFLICT',
      'RUN_NOT_RETRYABLE',
      `This run is ${run.status}; only failed, cancelled or interrupted runs can be retried`,
    );
  }
  const provider = findProvider(ctx.config, run.provider);
  const messages = await listMessages(ctx.db, run.conversationId);
  const question = messages.find((m) => m.id === run.userMessageId);
  if (!question) throw notFound('Question');
  const responses = await listResponsesOfRuns(ctx.db, [run.id]);
  const hasTitle = responses.some((r) => r.stage === 'title' && r.status === 'completed');
  const titleModel = hasTitle ? null : run.titleModel;
  // Exactly what a start checks, for every model the retry will call: an imported run names
  // whatever models its file said, the title model included.
  const { apiKey, keySource } = await admitModels(ctx, userId, provider, [
    run.models,
    chairmanIn(run.mode, run.chairmanModel),
    titleModel,
  ]);
  await enforceRunRate(ctx, userId);

  const { catalog } = ctx.services.council;
  const files = await withImageInput(ctx, provider, run.models, await attachmentsOfQuestion(ctx.db, question.id));
  const plan = {
    question: question.content,
    history: toHistory(branchPath(messages, question.parentId)),
    models: run.models,
    chairmanModel: run.chairmanModel,
    titleModel,
    attempt: run.attempt + 1,
    // A retry asks what the first attempt asked: same mode, instructions, effort and search.
    mode: run.mode,
    instructions: run.instructions,
    reasoningEffort: run.reasoningEffort,
    webSearch: run.webSearch,
    previous: collectPrevious(run, responses),
    contextLengths: await catalog.contextLengths(provider, [...run.models, run.chairmanModel]),
    ...files,
  };
  const estimate = estimateReservation(ctx, plan);
  const claimed = await ctx.db.transaction().execute(async (trx) => {
    await assertBelowRunLimit(trx, ctx, userId);
    await assertRunFitsDailyBudget({ ...ctx, db: trx }, userId, keySource, estimate);
    const reserved = await reservationForRetry({ db: trx }, run.id, estimate);
    return claimRunForRetry(trx, run.id, ctx.services.council.hostId, ctx.now(), keySource, reserved);
  });
  if (!claimed) throw appError('CONFLICT', 'RUN_NOT_RETRYABLE', 'This run is already being retried');
  ctx.services.council.executor.execute({
    ...plan,
    run: { ...claimed, titleModel },
    provider,
    apiKey,
    ...callLimitsFor(ctx, keySource),
  });
  return { runId: run.id };
}
