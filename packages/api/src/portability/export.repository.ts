import type { Database } from '@llm-council/db';
import type { Kysely } from 'kysely';
import {
  aggregateSchema,
  answerSourcesSchema,
  labelToModelSchema,
  parsedRankingSchema,
  readStored,
  reviewDetailsSchema,
  verdictSchema,
} from '../council/stored-shapes.js';
import { listAttachmentContentOfMessages } from '../attachments/attachments.service.js';
import { groupBy } from '../shared/group-by.js';
import type { ExportedAttachment, ExportedConversation, ExportedResponse, ExportedRun } from './export-format.js';

type Db = Kysely<Database>;

const iso = (d: Date) => d.toISOString();
const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);

/** Which conversations to read: the one named, or a page of at most `limit` after the `after` id (in export order). */
export type ExportScope = { only: string } | { after: string | null; limit: number };

/**
 * Everything stored of the owner's conversations in the scope, in the export format. Four
 * queries whatever the count (conversations, messages, runs, responses), each scoped to the owner
 * and to the conversations read first; an id the owner does not have yields an empty list.
 */
export async function readConversationsForExport(
  db: Db,
  userId: string,
  scope: ExportScope,
): Promise<ExportedConversation[]> {
  let conversations = db
    .selectFrom('conversations')
    .select([
      'id',
      'title',
      'councilModels',
      'chairmanModel',
      'createdAt',
      'updatedAt',
      'importedAt',
      'shownQuestionId',
    ])
    .where('userId', '=', userId)
    .orderBy('createdAt')
    .orderBy('id');
  if ('only' in scope) conversations = conversations.where('id', '=', scope.only);
  else {
    conversations = conversations.limit(scope.limit);
    const { after } = scope;
    // Keyset on (createdAt, id), the cursor row's values read in SQL: JS dates would drop microseconds.
    if (after) {
      const cursorAt = db
        .selectFrom('conversations as a')
        .select('a.createdAt')
        .where('a.id', '=', after)
        .where('a.userId', '=', userId);
      conversations = conversations.where((eb) =>
        eb.or([eb('createdAt', '>', cursorAt), eb.and([eb('createdAt', '=', cursorAt), eb('id', '>', after)])]),
      );
    }
  }
  const rows = await conversations.execute();
  if (rows.length === 0) return [];
  const ids = rows.map((c) => c.id);

  const messagesQuery = db
    .selectFrom('messages as m')
    .innerJoin('conversations as c', 'c.id', 'm.conversationId')
    .select(['m.id', 'm.conversationId', 'm.role', 'm.content', 'm.createdAt', 'm.parentId', 'm.runId'])
    .where('c.userId', '=', userId)
    .where('m.conversationId', 'in', ids)
    .orderBy('m.conversationId')
    .orderBy('m.position');

  const runsQuery = db
    .selectFrom('councilRuns')
    .selectAll()
    .where('userId', '=', userId)
    .where('conversationId', 'in', ids)
    .orderBy('createdAt');

  const responsesQuery = db
    .selectFrom('councilResponses as s')
    .innerJoin('councilRuns as r', 'r.id', 's.runId')
    .select([
      's.runId',
      's.stage',
      's.model',
      's.status',
      's.content',
      's.parsedRanking',
      's.reviewDetails',
      's.error',
      's.usage',
      's.sources',
      's.durationMs',
      's.attempt',
    ])
    .where('r.userId', '=', userId)
    .orderBy('s.runId')
    .orderBy('s.createdAt')
    .orderBy('s.stage')
    .where('r.conversationId', 'in', ids)
    .orderBy('s.model');

  const [messages, runs, responses] = await Promise.all([
    messagesQuery.execute(),
    runsQuery.execute(),
    responsesQuery.execute(),
  ]);

  const responsesByRun = groupBy(responses, (r) => r.runId);
  const runsByConversation = groupBy(runs, (r) => r.conversationId);
  const messagesByConversation = groupBy(messages, (m) => m.conversationId);
  // The questions' files, bytes as base64 (a PDF with the text read from it).
  const questionIds = messages.filter((m) => m.role === 'user').map((m) => m.id);
  const filesByQuestion = groupBy(await listAttachmentContentOfMessages(db, questionIds), (a) => a.messageId ?? '');
  const filesOf = (messageId: string): { attachments?: ExportedAttachment[] } => {
    const files = filesByQuestion.get(messageId) ?? [];
    if (files.length === 0) return {};
    return {
      attachments: files.map((a) => ({
        name: a.name,
        kind: a.kind,
        mediaType: a.mediaType,
        data: Buffer.from(a.data).toString('base64'),
        text: a.kind === 'pdf' ? a.text : null,
      })),
    };
  };

  // An answer names the question it answers: its run's question (a brought answer, with no run,
  // follows its question and is read back that way).
  const questionOfRun = new Map(runs.map((r) => [r.id, r.userMessageId]));

  return rows.map((c) => ({
    id: c.id,
    title: c.title,
    councilModels: c.councilModels,
    chairmanModel: c.chairmanModel,
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
    importedAt: isoOrNull(c.importedAt),
    shownQuestionId: c.shownQuestionId,
    messages: (messagesByConversation.get(c.id) ?? []).map((m) => ({
      id: m.id,
      role: m.role,
      content: m.content,
      createdAt: iso(m.createdAt),
      parentId: m.role === 'user' ? m.parentId : m.runId ? questionOfRun.get(m.runId) : undefined,
      ...filesOf(m.id),
    })),
    runs: (runsByConversation.get(c.id) ?? []).map((r): ExportedRun => ({
      id: r.id,
      userMessageId: r.userMessageId,
      status: r.status,
      provider: r.provider,
      models: r.models,
      chairmanModel: r.chairmanModel,
      titleModel: r.titleModel,
      mode: r.mode,
      instructions: r.instructions,
      reasoningEffort: r.reasoningEffort,
      webSearch: r.webSearch,
      // The stored JSON is written out only as far as its schema vouches for it (rows imported
      // before the import checked shapes), so an export always imports back.
      labelToModel: readStored(labelToModelSchema, r.labelToModel),
      aggregate: readStored(aggregateSchema, r.aggregate),
      verdict: readStored(verdictSchema, r.verdict),
      error: r.error,
      attempt: r.attempt,
      createdAt: iso(r.createdAt),
      startedAt: isoOrNull(r.startedAt),
      finishedAt: isoOrNull(r.finishedAt),
      responses: (responsesByRun.get(r.id) ?? []).map(({ runId: _runId, ...s }): ExportedResponse => ({
        ...s,
        parsedRanking: readStored(parsedRankingSchema, s.parsedRanking),
        reviewDetails: readStored(reviewDetailsSchema, s.reviewDetails),
        usage: (s.usage as ExportedResponse['usage']) ?? null,
        sources: readStored(answerSourcesSchema, s.sources),
      })),
    })),
  }));
}

/** The account facts an export carries: never the password hash, keys or sessions. */
export async function readAccountForExport(db: Db, userId: string) {
  const user = await db
    .selectFrom('users')
    .select(['email', 'createdAt'])
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  return { email: user.email, createdAt: iso(user.createdAt) };
}

/** Whether `id` is one of the user's conversations (an export cursor still points at something). */
export async function hasConversation(db: Kysely<Database>, userId: string, id: string): Promise<boolean> {
  const row = await db
    .selectFrom('conversations')
    .select('id')
    .where('id', '=', id)
    .where('userId', '=', userId)
    .executeTakeFirst();
  return row !== undefined;
}
