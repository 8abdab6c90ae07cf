import { randomUUID } from 'node:crypto';
import type { Database } from '@llm-council/db';
import type { Insertable, Transaction } from 'kysely';
import type { ExportedConversation } from './export-format.js';

type Trx = Transaction<Database>;

// PostgreSQL takes at most 65,535 parameters a statement; a response row has 13.
const ROWS_PER_INSERT = 500;

const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

/**
 * Writes conversations (already validated, see import.service) for `userId`, every row under a
 * new id so that importing the same file twice, or someone else's export, never collides with
 * or touches an existing row. Runs that were live when exported are stored as interrupted.
 * Only inside the caller's transaction: a failure anywhere leaves nothing behind.
 */
export async function insertImportedConversations(
  trx: Trx,
  userId: string,
  conversations: ExportedConversation[],
  /** When they came in; null only for test factories that store conversations as if run here. */
  importedAt: Date | null,
): Promise<string[]> {
  const conversationRows: Insertable<Database['conversations']>[] = [];
  const messageRows: Insertable<Database['messages']>[] = [];
  const runRows: Insertable<Database['councilRuns']>[] = [];
  const responseRows: Insertable<Database['councilResponses']>[] = [];

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
    c.messages.forEach((m, position) => {
      // A question links to its run; an answer to the run of the question before it.
      const source =
        m.role === 'user' ? runOfQuestion.get(m.id) : runOfQuestion.get(c.messages[position - 1]?.id ?? '');
      messageRows.push({
        id: messageIds.get(m.id),
        conversationId,
        role: m.role,
        content: m.content,
        position,
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
          durationMs: s.durationMs,
          attempt: s.attempt,
          createdAt: r.createdAt,
        });
      }
    }
  }

  // Parents before children: the foreign keys are checked row by row.
  for (const chunk of chunks(conversationRows)) await trx.insertInto('conversations').values(chunk).execute();
  for (const chunk of chunks(messageRows)) await trx.insertInto('messages').values(chunk).execute();
  for (const chunk of chunks(runRows)) await trx.insertInto('councilRuns').values(chunk).execute();
  for (const chunk of chunks(responseRows)) await trx.insertInto('councilResponses').values(chunk).execute();
  return conversationRows.map((c) => c.id as string);
}

function* chunks<T>(rows: T[]): Generator<T[]> {
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) yield rows.slice(i, i + ROWS_PER_INSERT);
}
