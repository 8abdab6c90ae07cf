import {
  estimateRunTokens,
  minimumAnswers,
  type ConversationTurn,
  type CouncilMode,
  type PreviousRunResults,
  type QuestionAttachment,
  type ReasoningEffort,
  type Usage,
} from '@llm-council/council';
import type { CouncilRun, Database } from '@llm-council/db';
import type { Transaction } from 'kysely';
import { isRetryableRunStatus, type ConversationSource } from '../constants.js';
import type { Context, SignedInUser } from '../context.js';
import {
  appendMessage,
  deleteConversation,
  findConversation,
  branchPath,
  findQuestion,
  insertConversationWithHistory,
  linkMessageToRun,
  listMessages,
  shownLeaf,
  sourceOf,
} from '../conversations/conversations.service.js';
import {
  attachToQuestion,
  attachmentsOfQuestion,
  copyAttachments,
  loadUploadsToAttach,
} from '../attachments/attachments.service.js';
import { resolveCouncil } from '../councils/councils.service.js';
import { appError, notFound } from '../errors.js';
import { isUniqueViolation } from '../shared/db-errors.js';
import { enforceRateLimit } from '../shared/rate-limit.js';
import type { KeySource } from '../spend/spend.service.js';
import { assertRunFitsDailyBudget, assertServerKeyModels, reservationForRetry } from '../spend/spend.service.js';
import { resolveApiKey } from '../settings/api-key.service.js';
import { findProvider } from '../settings/providers.js';
import {
  claimRunForRetry,
  countActiveRuns,
  findRunByClientRequestId,
  findRunForUser,
  insertRun,
  listActiveRunIdsOfConversation,
  listResponsesOfRuns,
  lockConversation,
  lockUserRuns,
} from './council-runs.repository.js';
import { readReviewDetails } from './review-details.js';
import { answerSourcesSchema, readStored } from './stored-shapes.js';

/** What running the council needs: no request, no session — the caller's id is an argument. */
type CouncilDeps = Pick<Context, 'db' | 'config' | 'services' | 'now'>;

export interface StartRunInput {
  conversationId?: string | undefined;
  /** Creates the conversation with the run (exactly one of this and `conversationId`). */
  newConversation?:
    | {
        source?: ConversationSource | undefined;
        history?: { question: string; answer: string }[] | undefined;
        title?: string | undefined;
      }
    | undefined;
  content: string;
  models?: string[] | undefined;
  chairmanModel?: string | undefined;
  /** How much council (default: the saved council's, else `full`). */
  mode?: CouncilMode | undefined;
  /** A saved council (the user's, or the operator's `server:<slug>`); explicit fields above override it. */
  councilId?: string | undefined;
  /** Gives the stage-1 calls the web search tool (default: the saved council's, else off). */
  webSearch?: boolean | undefined;
  /** Standing instructions (empty or null: none); an edit asks with those of the run it re-asks. */
  instructions?: string | null | undefined;
  reasoningEffort?: ReasoningEffort | undefined;
  provider?: string | undefined;
  clientRequestId?: string | undefined;
  /** A question of the conversation this one is a new version of: the run starts a new branch there. */
  editOf?: string | undefined;
  /** Answers and reviews of an earlier run the new one reuses (a regeneration): replayed, not asked again. */
  reuse?: PreviousRunResults | undefined;
  /** Uploads to attach to the question; an edit or regeneration without them keeps the edited question's. */
  attachmentIds?: string[] | undefined;
}

/**
 * Records the question and starts the council on it, in the background. Everything that can
 * refuse the run — ownership, models, the API key, limits — is checked before anything is
 * written or any upstream call is made.
 */
export async function startRun(
  ctx: CouncilDeps,
  session: SignedInUser,
  input: StartRunInput,
): Promise<{ runId: string; messageId: string; conversationId: string }> {
  const { council } = ctx.services;
  const { userId } = session;
  if (input.clientRequestId) {
    const existing = await findRunByClientRequestId(ctx.db, userId, input.clientRequestId);
    if (existing) return ids(existing);
  }
  const conversation = input.conversationId ? await findConversation(ctx.db, userId, input.conversationId) : null;
  if (input.conversationId && !conversation) throw notFound('Conversation');

  const saved = input.councilId ? await resolveCouncil(ctx, userId, input.councilId) : null;
  const broughtHistory = input.newConversation?.history ?? [];
  const stored = conversation ? await listMessages(ctx.db, conversation.id) : null;
  // The question follows the branch shown, or, for an edit, the question before the edited one.
  const edited = input.editOf ? stored?.find((m) => m.id === input.editOf && m.role === 'user') : undefined;
  if (input.editOf && !edited) throw notFound('Question');
  const parentId = edited
    ? edited.parentId
    : stored && conversation
      ? shownLeaf(stored, conversation.shownQuestionId)
      : undefined;
  // A follow-up asks the way the question it follows was asked (a one-model chat stays one),
  // unless this start names a saved council or the setting itself.
  // An edit or regeneration names every setting already: no run to read then.
  const namesEverySetting = [input.mode, input.instructions, input.reasoningEffort, input.webSearch].every(
    (setting) => setting !== undefined,
  );
  const followedRunId = !saved && !namesEverySetting && parentId ? stored?.find((m) => m.id === parentId)?.runId : null;
  const followed = followedRunId ? await findRunForUser(ctx.db, userId, followedRunId) : undefined;

  const provider = findProvider(ctx.config, input.provider);
  const mode = input.mode ?? saved?.mode ?? followed?.mode ?? 'full';
  const models = dedupe(input.models ?? saved?.models ?? conversation?.councilModels ?? ctx.config.council.models);
  assertCouncilSize(models, mode);
  const chairmanModel =
    input.chairmanModel ?? saved?.chairmanModel ?? conversation?.chairmanModel ?? ctx.config.council.chairmanModel;
  const messages = stored ? branchPath(stored, parentId ?? null) : historyMessages(broughtHistory);
  // Following the newest question (the usual case), the parent is read again when the question is
  // stored, under the conversation's lock: questions sent at once queue up one after another on
  // PostgreSQL instead of forking into versions of each other.
  const followsNewest = !edited && stored !== null && parentId === shownLeaf(stored, null);
  const parentToStore = followsNewest ? undefined : parentId;
  // A new conversation is titled even when it brought earlier turns.
  const isFirstRun = conversation === null || stored?.length === 0;
  const needsTitle = isFirstRun && input.newConversation?.title === undefined;
  const titleModel = needsTitle ? (ctx.config.council.titleModel ?? chairmanModel) : null;
  const { apiKey, keySource } = await admitModels(ctx, userId, provider, [
    models,
    chairmanIn(mode, chairmanModel),
    titleModel,
  ]);
  await enforceRunRate(ctx, userId);

  const attachmentIds = input.attachmentIds ?? [];
  const attachments =
    attachmentIds.length > 0
      ? await loadUploadsToAttach(ctx.db, userId, attachmentIds)
      : edited
        ? await attachmentsOfQuestion(ctx.db, edited.id)
        : [];
  const history = toHistory(messages);
  const contextLengths = await council.catalog.contextLengths(provider, [...models, chairmanModel]);
  const files = await withImageInput(ctx, provider, models, attachments);
  const settings = {
    mode,
    instructions:
      input.instructions !== undefined
        ? input.instructions?.trim() || null
        : saved
          ? saved.instructions.trim() || null
          : (followed?.instructions ?? null),
    reasoningEffort: input.reasoningEffort ?? saved?.reasoningEffort ?? followed?.reasoningEffort ?? 'none',
    webSearch: input.webSearch ?? saved?.webSearch ?? followed?.webSearch ?? false,
  };
  const plan = {
    question: input.content,
    history,
    models,
    chairmanModel,
    titleModel,
    attempt: 1,
    contextLengths,
    ...settings,
    ...(input.reuse && { previous: input.reuse }),
    ...files,
  };
  const reservedTokens = estimateReservation(ctx, plan);
  const created = await ctx.db
    .transaction()
    .execute(async (trx) => {
      await assertBelowRunLimit(trx, ctx, userId);
      await assertRunFitsDailyBudget({ ...ctx, db: trx }, userId, keySource, reservedTokens);
      // Created only once every check passed: a refused start leaves no empty conversation.
      const conversationId =
        conversation?.id ??
        (
          await insertConversationWithHistory(trx, {
            userId,
            source: sourceOf(session, input.newConversation?.source),
            history: broughtHistory,
            // The council chosen for the first question (a saved council's included) stays the
            // conversation's council.
            councilModels: input.models ?? saved?.models ?? null,
            chairmanModel: input.chairmanModel ?? saved?.chairmanModel ?? null,
            title: input.newConversation?.title,
          })
        ).id;
      await lockConversation(trx, conversationId);
      const message = await appendMessage(trx, {
        conversationId,
        role: 'user',
        content: input.content,
        parentId: parentToStore,
      });
      if (attachmentIds.length > 0) await attachToQuestion(trx, userId, attachmentIds, message.id);
      else if (edited && attachments.length > 0) await copyAttachments(trx, edited.id, message.id);
      const run = await insertRun(trx, {
        userId,
        conversationId,
        userMessageId: message.id,
        clientRequestId: input.clientRequestId ?? null,
        provider: provider.id,
        models,
        chairmanModel,
        titleModel,
        ...settings,
        keySource,
        reservedTokens,
      });
      await linkMessageToRun(trx, message.id, run.id);
      return { run, messageId: message.id };
    })
    .catch(async (error: unknown) => {
      // Two identical starts raced: the loser returns the winner's run.
      if (!input.clientRequestId || !isUniqueViolation(error)) throw error;
      const winner = await findRunByClientRequestId(ctx.db, userId, input.clientRequestId);
      if (!winner) throw error;
      return { run: winner, messageId: winner.userMessageId, isDuplicate: true as const };
    });
  if ('isDuplicate' in created) return ids(created.run);
  const { run, messageId } = created;
  council.executor.execute({
    run,
    provider,
    apiKey,
    ...callLimitsFor(ctx, keySource),
    question: input.content,
    history,
    contextLengths,
    ...(input.reuse && { previous: input.reuse }),
    ...files,
  });
  return { runId: run.id, messageId, conversationId: run.conversationId };
}

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

function ids(run: CouncilRun): { runId: string; messageId: string; conversationId: string } {
  return { runId: run.id, messageId: run.userMessageId, conversationId: run.conversationId };
}

/** Earlier turns brought with a new conversation, shaped as the stored messages they become. */
function historyMessages(history: { question: string; answer: string }[]) {
  return history.flatMap(({ question, answer }) => [
    { role: 'user' as const, content: question, runId: null },
    { role: 'assistant' as const, content: answer, runId: null },
  ]);
}

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

/** Stops a run (idempotent: a run already over is left as it is). */
export async function cancelRun(
  ctx: CouncilDeps,
  userId: string,
  runId: string,
): Promise<{ status: CouncilRun['status'] }> {
  const run = await findRunForUser(ctx.db, userId, runId);
  if (!run) throw notFound('Run');
  if (run.status === 'queued' || run.status === 'running') await ctx.services.council.executor.cancel(run.id);
  return { status: run.status };
}

/**
 * The key a run will use, and on the operator's key the models it may ask — refused before
 * anything is written or sent upstream.
 */
async function resolveRunKey(
  ctx: CouncilDeps,
  userId: string,
  provider: ReturnType<typeof findProvider>,
  models: string[],
): Promise<{ apiKey: string; keySource: KeySource }> {
  const { apiKey, source } = await resolveApiKey(ctx, userId, provider);
  const keySource: KeySource = source === 'server' ? 'server' : 'own';
  if (keySource === 'server') assertServerKeyModels(ctx.config, models);
  return { apiKey, keySource };
}

/**
 * What start and retry both check before anything is written, for every model the run will
 * call (the title model included): the provider offers it, and on the operator's key the
 * operator allows it. Returns the key the run will use.
 */
async function admitModels(
  ctx: CouncilDeps,
  userId: string,
  provider: ReturnType<typeof findProvider>,
  [members, chairman, title]: [string[], string | null, string | null],
): Promise<{ apiKey: string; keySource: KeySource }> {
  const called = dedupe([...members, ...(chairman ? [chairman] : []), ...(title ? [title] : [])]);
  await ctx.services.council.catalog.assertKnown(provider, called);
  return resolveRunKey(ctx, userId, provider, called);
}

/**
 * What `councils.create`/`update` check, the same way a start checks them: the council's size for
 * its mode, the provider's catalogue and, on the operator's key, the allowlist — for every model
 * the council will call.
 */
export async function assertCouncilModels(
  ctx: CouncilDeps,
  userId: string,
  council: { models: string[]; chairmanModel: string; mode: CouncilMode },
): Promise<void> {
  const models = dedupe(council.models);
  assertCouncilSize(models, council.mode);
  await admitModels(ctx, userId, findProvider(ctx.config, undefined), [
    models,
    chairmanIn(council.mode, council.chairmanModel),
    null,
  ]);
}

/** Only a `full` council calls its chairman; the other modes neither check nor pay for it. */
function chairmanIn(mode: CouncilMode, chairmanModel: string): string | null {
  return mode === 'full' ? chairmanModel : null;
}

/** `answers` runs with one model (a plain chat); reviews need at least two answers to compare. */
function assertCouncilSize(models: string[], mode: CouncilMode): void {
  const min = minimumAnswers(mode);
  if (models.length >= min) return;
  throw appError(
    'BAD_REQUEST',
    'VALIDATION_FAILED',
    `models: a council in ${mode} mode needs at least ${min} different models (mode answers works with one)`,
  );
}

/** The tokens a run is admitted for: every call's estimated prompt plus its largest answer. */
function estimateReservation(ctx: CouncilDeps, plan: Parameters<typeof estimateRunTokens>[0]): number {
  return estimateRunTokens(
    { ...plan, method: ctx.config.council.method },
    ctx.config.operator.serverKey.maxTokensPerCall,
  );
}

/**
 * A question's files as a run takes them, with which council models see images (read from the
 * catalogue only when there is an image). Nothing when the question has no files.
 */
async function withImageInput(
  ctx: CouncilDeps,
  provider: ReturnType<typeof findProvider>,
  models: string[],
  attachments: QuestionAttachment[],
): Promise<{ attachments?: QuestionAttachment[]; imageInput?: Record<string, boolean> }> {
  if (attachments.length === 0) return {};
  const hasImage = attachments.some((a) => a.kind === 'image');
  const imageInput = hasImage ? await ctx.services.council.catalog.imageInput(provider, models) : {};
  return { attachments, imageInput };
}

/** On the operator's key every upstream call carries SERVER_KEY_MAX_TOKENS. */
function callLimitsFor(ctx: CouncilDeps, keySource: KeySource): { maxTokensPerCall?: number } {
  return keySource === 'server' ? { maxTokensPerCall: ctx.config.operator.serverKey.maxTokensPerCall } : {};
}

/** How long a deletion waits for this host's runs of the conversation to record their end. */
const DELETE_SETTLE_MS = 3_000;

/**
 * Deletes a conversation with everything in it. Its live runs are cancelled first (here at once,
 * on other hosts through the hub), so no executor keeps calling the provider for a run whose rows
 * are gone. False when the conversation is not the user's.
 */
export async function deleteConversationWithRuns(
  ctx: CouncilDeps,
  userId: string,
  conversationId: string,
): Promise<boolean> {
  if (!(await findConversation(ctx.db, userId, conversationId))) return false;
  const live = await listActiveRunIdsOfConversation(ctx.db, conversationId);
  if (live.length > 0) await ctx.services.council.executor.cancelAndSettle(live, DELETE_SETTLE_MS);
  return deleteConversation(ctx.db, userId, conversationId);
}

async function enforceRunRate(ctx: CouncilDeps, userId: string): Promise<void> {
  await enforceRateLimit(ctx, `council:user:${userId}`, ctx.config.rateLimits.councilRunsPerUser);
}

/**
 * Inside the transaction that creates (or re-queues) the run, under the user's lock: parallel
 * starts count one after another, so a batch of ten cannot all see "two running" at once.
 */
async function assertBelowRunLimit(trx: Transaction<Database>, ctx: CouncilDeps, userId: string): Promise<void> {
  await lockUserRuns(trx, userId);
  const active = await countActiveRuns(trx, userId);
  const max = ctx.config.council.maxConcurrentRunsPerUser;
  if (active >= max) {
    throw appError(
      'TOO_MANY_REQUESTS',
      'RUN_LIMIT_REACHED',
      `You already have ${active} council runs going (the limit is ${max}). Wait for one to finish.`,
    );
  }
}

/**
 * Earlier questions with the council's final answers (a question and its answer share a run id).
 * Turns brought from another tool (`conversations.create({ history })`) have no run: such a
 * question is answered by the run-less answer right after it.
 */
function toHistory(
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

function collectPrevious(
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

function dedupe(values: string[]): string[] {
  return [...new Set(values)];
}
