import type { CouncilMode, PreviousRunResults, ReasoningEffort } from '@llm-council/council';
import type { CouncilRun } from '@llm-council/db';
import type { ConversationSource } from '../constants.js';
import type { SignedInUser } from '../context.js';
import {
  appendMessage,
  deleteConversation,
  findConversation,
  branchPath,
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
import { notFound } from '../errors.js';
import { isUniqueViolation } from '../shared/db-errors.js';
import { assertRunFitsDailyBudget } from '../spend/spend.service.js';
import { findProvider } from '../settings/providers.js';
import {
  findRunByClientRequestId,
  findRunForUser,
  insertRun,
  listActiveRunIdsOfConversation,
  lockConversation,
} from './council-runs.repository.js';
import {
  admitModels,
  assertBelowRunLimit,
  assertCouncilSize,
  callLimitsFor,
  chairmanIn,
  dedupe,
  enforceRunRate,
  estimateReservation,
  type CouncilDeps,
} from './run-admission.service.js';
import { historyMessages, toHistory } from './run-history.js';
import { withImageInput } from './run-attachments.js';

/*
 * Starting the council on a question, stopping a run, and deleting a conversation with its runs.
 * New versions of a turn are in run-versions.service.ts, a retry in run-retry.service.ts, and what
 * every run must pass first in run-admission.service.ts.
 */

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

function ids(run: CouncilRun): { runId: string; messageId: string; conversationId: string } {
  return { runId: run.id, messageId: run.userMessageId, conversationId: run.conversationId };
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
