import { randomUUID } from 'node:crypto';
import type { Database } from '@llm-council/db';
import type { Insertable, Kysely } from 'kysely';
import { checkImportedFile, insertImportedAttachments } from '../attachments/attachments.service.js';
import type { ExportedConversation } from './export-format.js';

// PostgreSQL takes at most 65,535 parameters a statement (a response row has 13); smaller
// statements also keep each one short, so other requests wait for at most one of them.
const ROWS_PER_INSERT = 200;
const TEXT_BYTES_PER_INSERT = 1024 * 1024;

const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

/**
 * Writes conversations (already validated, see import.service) for `userId`, every row under a
 * new id so that importing the same file twice, or someone else's export, never collides with
 * or touches an existing row. Runs that were live when exported are stored as interrupted.
 * A failure anywhere leaves nothing behind (see the end).
 */
export async function insertImportedConversations(
  db: Kysely<Database>,
  userId: string,
  conversations: ExportedConversation[],
  /** When they came in; null only for test factories that store conversations as if run here. */
  importedAt: Date | null,
): Promise<string[]> {
  const conversationRows: Insertable<Database['conversations']>[] = [];
  const messageRows: Insertable<Database['messages']>[] = [];
  const runRows: Insertable<Database['councilRuns']>[] = [];
  const responseRows: Insertable<Database['councilResponses']>[] = [];
  const shownQuestions: { conversationId: string; shownQuestionId: string }[] = [];
  const fileRows: Parameters<typeof insertImportedAttachments>[2] = [];

  for (const c of conversations) {
    const conversationId = randomUUID();
    const messageIds = new Map(c.messages.map((m) => [m.id, randomUUID()]));
    const runIds = new Map(c.runs.map((r) => [r.id, randomUUID()]));
    const runOfQuestion = new Map(c.runs.map((r) => [r.userMessageId, r.id]));
    conversationRows.push({
      id: conversationId,
      userId,
      title: c.title,
      councilModels: json(c.councilModels),
      chairmanModel: c.chairmanModel,
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
      importedAt,
    });
    // The branch shown is set once its question exists (after the messages, below).
    const shownQuestionId = c.shownQuestionId ? messageIds.get(c.shownQuestionId) : undefined;
    if (shownQuestionId) shownQuestions.push({ conversationId, shownQuestionId });
    let previousQuestion: string | null = null;
    c.messages.forEach((m, position) => {
      // A question links to its run; an answer to the run of the question it answers (named, or
      // else the message before it).
      const answered = m.role === 'user' ? m.id : (m.parentId ?? c.messages[position - 1]?.id ?? '');
      const source = runOfQuestion.get(answered);
      const id = messageIds.get(m.id) ?? randomUUID();
      // A question follows the question it names (a branch), or else the one before it.
      const parentId =
        m.role !== 'user'
          ? null
          : m.parentId === undefined
            ? previousQuestion
            : m.parentId && messageIds.get(m.parentId);
      if (m.role === 'user') previousQuestion = id;
      for (const [filePosition, file] of (m.attachments ?? []).entries()) {
        const data = Buffer.from(file.data, 'base64');
        const checked = checkImportedFile({ ...file, bytes: data });
        if (!checked.ok) continue; // refused before anything was written (import.service)
        fileRows.push({ ...file, messageId: id, position: filePosition, data, text: checked.text });
      }
      messageRows.push({
        id,
        conversationId,
        role: m.role,
        content: m.content,
        position,
        parentId,
        runId: source ? (runIds.get(source) ?? null) : null,
        createdAt: m.createdAt,
        updatedAt: m.createdAt,
      });
    });
    for (const r of c.runs) {
      const runId = runIds.get(r.id) ?? randomUUID();
      const isLive = r.status === 'queued' || r.status === 'running';
      runRows.push({
        id: runId,
        userId,
        conversationId,
        userMessageId: messageIds.get(r.userMessageId) ?? '',
        clientRequestId: null,
        status: isLive ? 'interrupted' : r.status,
        provider: r.provider,
        models: JSON.stringify(r.models),
        chairmanModel: r.chairmanModel,
        titleModel: r.titleModel,
        mode: r.mode,
        instructions: r.instructions,
        reasoningEffort: r.reasoningEffort,
        webSearch: r.webSearch,
        labelToModel: json(r.labelToModel),
        aggregate: json(r.aggregate),
        verdict: json(r.verdict),
        error: json(r.error),
        attempt: r.attempt,
        host: null,
        heartbeatAt: null,
        startedAt: r.startedAt,
        finishedAt: r.finishedAt ?? (isLive ? (importedAt ?? new Date()) : null),
        createdAt: r.createdAt,
        updatedAt: r.finishedAt ?? r.createdAt,
      });
      for (const s of r.responses) {
        responseRows.push({
          runId,
          stage: s.stage,
          model: s.model,
          status: s.status,
          content: s.content,
          parsedRanking: json(s.parsedRanking),
          reviewDetails: json(s.reviewDetails),
          error: json(s.error),
          usage: json(s.usage),
          sources: s.sources?.length ? json(s.sources) : null,
          durationMs: s.durationMs,
          attempt: s.attempt,
          createdAt: r.createdAt,
        });
      }
    }
  }

  // Parents before children: the foreign keys are checked row by row. Each chunk is its own
  // statement (committed on its own) and the writer yields between chunks, so one 18 MB import
  // no longer holds PGlite's only connection for seconds: other requests' queries run in between.
  // The file was checked whole before (import.service), so a failure here is the database's; the
  // conversations written so far are then deleted (their rows cascade), and nothing is left.
  const written: string[] = [];
  try {
    for (const [table, rows] of [
      ['conversations', conversationRows],
      ['messages', messageRows],
      ['councilRuns', runRows],
      ['councilResponses', responseRows],
    ] as const) {
      for (const chunk of boundedChunks(rows as Row[])) {
        await db.insertInto(table).values(chunk).execute();
        if (table === 'conversations') written.push(...chunk.map((row) => row.id as string));
        await yieldToOthers();
      }
    }
    await insertImportedAttachments(db, userId, fileRows);
    for (const { conversationId, shownQuestionId } of shownQuestions) {
      await db.updateTable('conversations').set({ shownQuestionId }).where('id', '=', conversationId).execute();
    }
  } catch (error: unknown) {
    if (written.length > 0) await db.deleteFrom('conversations').where('id', 'in', written).execute();
    throw error;
  }
  return conversationRows.map((c) => c.id as string);
}

type Row = { id?: unknown; content?: unknown };

/** At most ROWS_PER_INSERT rows and about TEXT_BYTES_PER_INSERT of text per statement. */
function* boundedChunks<T extends Row>(rows: T[]): Generator<T[]> {
  let chunk: T[] = [];
  let bytes = 0;
  for (const row of rows) {
    const size = typeof row.content === 'string' ? row.content.length * 2 : 0;
    if (chunk.length > 0 && (chunk.length >= ROWS_PER_INSERT || bytes + size > TEXT_BYTES_PER_INSERT)) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(row);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}

/** Lets queries and requests queued behind this import go first. */
const yieldToOthers = () => new Promise<void>((resolve) => setImmediate(resolve));
