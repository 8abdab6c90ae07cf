import { listAttachmentsOfMessages } from '../attachments/attachments.service.js';
import { DEFAULT_TITLE } from '../constants.js';
import type { Context } from '../context.js';
import { listRunRecords } from '../council/run-records.js';
import { notFound } from '../errors.js';
import { protectedProcedure, router, scopedProcedure } from '../trpc.js';
import { decodeCursor, encodeCursor } from './conversation-cursor.js';
import { deleteConversationWithRuns } from '../council/council.service.js';
import {
  findConversation,
  insertConversation,
  listConversations,
  listMessages,
  renameConversation,
  type ConversationRow,
} from './conversations.repository.js';
import {
  conversationIdInput,
  createConversationInput,
  listConversationsInput,
  exportConversationInput,
  importConversationsInput,
  renameConversationInput,
  searchConversationsInput,
  showVersionInput,
} from './conversations.schemas.js';
import { exportConversation } from '../portability/export.service.js';
import { importDocument } from '../portability/import.service.js';
import { searchOwnConversations } from './search.service.js';
import { branchPath, shownLeaf, showVersion, sourceOf, versionsOf } from './conversations.service.js';

export const conversationsRouter = router({
  /** The caller's conversations, most recent activity first. Pass `nextCursor` back for the next page. */
  list: scopedProcedure('read')
    .input(listConversationsInput)
    .query(async ({ ctx, input }) => {
      const after = input.cursor ? decodeCursor(input.cursor) : undefined;
      const rows = await listConversations(ctx.db, ctx.session.userId, { limit: input.limit + 1, after });
      const page = rows.slice(0, input.limit);
      const last = page.at(-1);
      return {
        items: page.map((c) => ({
          id: c.id,
          title: c.title,
          source: c.source,
          messageCount: c.messageCount,
          createdAt: c.createdAt.toISOString(),
          updatedAt: c.updatedAt.toISOString(),
        })),
        nextCursor: rows.length > input.limit && last ? encodeCursor({ updatedAt: last.position, id: last.id }) : null,
      };
    }),

  /** Full-text search over the caller's titles, questions, stage-1 and final answers; best first. */
  search: scopedProcedure('read')
    .input(searchConversationsInput)
    .query(({ ctx, input }) => searchOwnConversations(ctx.db, ctx.session.userId, input)),

  /** One conversation as a Markdown or JSON file: `{ filename, contentType, content }`. */
  export: scopedProcedure('read')
    .input(exportConversationInput)
    .query(({ ctx, input }) => exportConversation(ctx.db, ctx.session.userId, input, ctx.now())),

  /**
   * Stores the conversations of an export document or of one original llm-council file, all or none.
   * A password session only: a personal access token never writes history its owner did not ask for.
   */
  import: protectedProcedure.input(importConversationsInput).mutation(({ ctx, input }) =>
    importDocument(ctx, ctx.session.userId, input.data, {
      maxBytes: ctx.config.importMaxBytes,
      imports: ctx.config.imports,
    }),
  ),

  // Asking the council from a script starts with a new conversation, so `council` may create one.
  create: scopedProcedure('council')
    .input(createConversationInput)
    .mutation(async ({ ctx, input }) => {
      const row = await insertConversation(ctx.db, {
        userId: ctx.session.userId,
        title: input.title ?? DEFAULT_TITLE,
        councilModels: input.models ?? null,
        chairmanModel: input.chairmanModel ?? null,
        source: sourceOf(ctx.session),
      });
      return toConversation(row);
    }),

  /**
   * One conversation: the branch shown (its messages in order; each question with the ids of its
   * versions) and the runs on it. Another user's id is NOT_FOUND, exactly like a missing one.
   */
  get: scopedProcedure('read')
    .input(conversationIdInput)
    .query(({ ctx, input }) => readConversation(ctx.db, ctx.session.userId, input.id)),

  /** Shows another version of a question (and the branch below it); returns the conversation as `get` does. */
  showVersion: scopedProcedure('council')
    .input(showVersionInput)
    .mutation(async ({ ctx, input }) => {
      const conversationId = await showVersion(ctx.db, ctx.session.userId, input.messageId);
      return readConversation(ctx.db, ctx.session.userId, conversationId);
    }),

  rename: protectedProcedure.input(renameConversationInput).mutation(async ({ ctx, input }) => {
    const row = await renameConversation(ctx.db, ctx.session.userId, input.id, input.title, ctx.now());
    if (!row) throw notFound('Conversation');
    return toConversation(row);
  }),

  delete: protectedProcedure.input(conversationIdInput).mutation(async ({ ctx, input }) => {
    // Live runs are cancelled first: the executor must not go on calling (and billing) the provider for a deleted conversation.
    if (!(await deleteConversationWithRuns(ctx, ctx.session.userId, input.id))) throw notFound('Conversation');
    return { ok: true as const };
  }),
});

async function readConversation(db: Context['db'], userId: string, id: string) {
  const row = await findConversation(db, userId, id);
  if (!row) throw notFound('Conversation');
  const stored = await listMessages(db, row.id);
  const path = branchPath(stored, shownLeaf(stored, row.shownQuestionId));
  const questions = new Set(path.filter((m) => m.role === 'user').map((m) => m.id));
  const runs = await listRunRecords(db, row.id);
  const attachments = await listAttachmentsOfMessages(db, [...questions]);
  return {
    ...toConversation(row),
    messages: path.map((m) => ({
      ...m,
      createdAt: m.createdAt.toISOString(),
      versionIds: m.role === 'user' ? versionsOf(stored, m) : [],
      /** A question's files, in order (no content: `GET /api/attachments/:id` has the bytes). */
      attachments: attachments.filter((a) => a.messageId === m.id).map(({ messageId: _, ...view }) => view),
    })),
    runs: runs.filter((r) => questions.has(r.userMessageId)),
  };
}

function toConversation(row: ConversationRow) {
  return {
    id: row.id,
    title: row.title,
    models: row.councilModels,
    chairmanModel: row.chairmanModel,
    source: row.source,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
