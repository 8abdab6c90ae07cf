import { sql, type Kysely, type Transaction } from 'kysely';
import type { ConversationSource, Database } from '@llm-council/db';

type Db = Kysely<Database>;

export interface ConversationSummary {
  id: string;
  title: string;
  source: ConversationSource;
  messageCount: number;
  createdAt: Date;
  updatedAt: Date;
  /** `updatedAt` to the microsecond (ISO 8601, UTC), for page cursors: a Date keeps only milliseconds. */
  position: string;
}

export interface ConversationRow {
  id: string;
  title: string;
  councilModels: string[] | null;
  chairmanModel: string | null;
  source: ConversationSource;
  /** The last question of the branch shown; null: the newest question. */
  shownQuestionId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const conversationColumns = [
  'id',
  'title',
  'councilModels',
  'chairmanModel',
  'source',
  'shownQuestionId',
  'createdAt',
  'updatedAt',
] as const;

/** A page of the owner's conversations, most recent activity first, keyset-paginated on (updatedAt, id). */
export async function listConversations(
  db: Db,
  userId: string,
  page: { limit: number; after?: { updatedAt: string; id: string } | undefined },
): Promise<ConversationSummary[]> {
  let query = db
    .selectFrom('conversations as c')
    .select((eb) => [
      'c.id',
      'c.title',
      'c.source',
      'c.createdAt',
      'c.updatedAt',
      sql<string>`to_char(c.updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('position'),
      eb
        .selectFrom('messages as m')
        .select(sql<number>`count(*)::int`.as('n'))
        .whereRef('m.conversationId', '=', 'c.id')
        .as('messageCount'),
    ])
    .where('c.userId', '=', userId)
    .orderBy('c.updatedAt', 'desc')
    .orderBy('c.id', 'desc')
    .limit(page.limit);
  if (page.after) {
    const { id } = page.after;
    const updatedAt = sql<Date>`${page.after.updatedAt}::timestamptz`;
    query = query.where((eb) =>
      eb.or([eb('c.updatedAt', '<', updatedAt), eb.and([eb('c.updatedAt', '=', updatedAt), eb('c.id', '<', id)])]),
    );
  }
  const rows = await query.execute();
  return rows.map((r) => ({ ...r, messageCount: Number(r.messageCount ?? 0) }));
}

export async function insertConversation(
  db: Db,
  values: {
    userId: string;
    title: string;
    councilModels: string[] | null;
    chairmanModel: string | null;
    /** The column's default (`app`) when omitted. */
    source?: ConversationSource;
  },
): Promise<ConversationRow> {
  return db
    .insertInto('conversations')
    .values({ ...values, councilModels: values.councilModels ? JSON.stringify(values.councilModels) : null })
    .returning(conversationColumns)
    .executeTakeFirstOrThrow();
}

/** The conversation if — and only if — the user owns it. */
export async function findConversation(db: Db, userId: string, id: string): Promise<ConversationRow | undefined> {
  return db
    .selectFrom('conversations')
    .select(conversationColumns)
    .where('id', '=', id)
    .where('userId', '=', userId)
    .executeTakeFirst();
}

export async function listMessages(db: Db, conversationId: string) {
  return db
    .selectFrom('messages')
    .select(['id', 'role', 'content', 'position', 'runId', 'parentId', 'createdAt'])
    .where('conversationId', '=', conversationId)
    .orderBy('position')
    .execute();
}

/** A question (a user message) if — and only if — the user owns its conversation. */
export async function findQuestion(db: Db, userId: string, messageId: string) {
  return db
    .selectFrom('messages as m')
    .innerJoin('conversations as c', 'c.id', 'm.conversationId')
    .select(['m.id', 'm.conversationId', 'm.content', 'm.runId', 'm.parentId'])
    .where('m.id', '=', messageId)
    .where('m.role', '=', 'user')
    .where('c.userId', '=', userId)
    .executeTakeFirst();
}

/** Which branch the conversation shows: the last question of it (null: the newest question). */
export async function setShownQuestion(db: Db, conversationId: string, questionId: string | null): Promise<void> {
  await db.updateTable('conversations').set({ shownQuestionId: questionId }).where('id', '=', conversationId).execute();
}

export async function renameConversation(
  db: Db,
  userId: string,
  id: string,
  title: string,
  now: Date,
): Promise<ConversationRow | undefined> {
  return db
    .updateTable('conversations')
    .set({ title, updatedAt: now })
    .where('id', '=', id)
    .where('userId', '=', userId)
    .returning(conversationColumns)
    .executeTakeFirst();
}

export async function deleteConversation(db: Db, userId: string, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom('conversations')
    .where('id', '=', id)
    .where('userId', '=', userId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/**
 * Appends a message at the next position and bumps the conversation's activity time. Only inside
 * a transaction that holds `lockConversation`: the position is read and written in two steps.
 * A question follows `parentId` (the question before it on its branch; null: none) or, when
 * that is not given, the newest question; asking one shows its branch.
 */
export async function appendMessage(
  db: Transaction<Database>,
  values: {
    conversationId: string;
    role: 'user' | 'assistant';
    content: string;
    runId?: string | null;
    parentId?: string | null;
  },
): Promise<{ id: string; position: number; createdAt: Date }> {
  const isQuestion = values.role === 'user';
  const message = await db
    .insertInto('messages')
    .values((eb) => ({
      conversationId: values.conversationId,
      role: values.role,
      content: values.content,
      runId: values.runId ?? null,
      parentId: !isQuestion
        ? null
        : values.parentId !== undefined
          ? values.parentId
          : eb
              .selectFrom('messages')
              .select('id')
              .where('conversationId', '=', values.conversationId)
              .where('role', '=', 'user')
              .orderBy('position', 'desc')
              .limit(1),
      position: eb
        .selectFrom('messages')
        .select(sql<number>`coalesce(max(position), -1) + 1`.as('next'))
        .where('conversationId', '=', values.conversationId),
    }))
    .returning(['id', 'position', 'createdAt'])
    .executeTakeFirstOrThrow();
  await db
    .updateTable('conversations')
    .set({ updatedAt: new Date(), ...(isQuestion && { shownQuestionId: null }) })
    .where('id', '=', values.conversationId)
    .execute();
  return message;
}

/** Sets a generated title, unless the user has already named the conversation. */
export async function setTitleIfPlaceholder(db: Db, id: string, title: string, placeholder: string): Promise<void> {
  await db.updateTable('conversations').set({ title }).where('id', '=', id).where('title', '=', placeholder).execute();
}

/** Ties a question to the run that answers it (the run row needs the message first). */
export async function linkMessageToRun(db: Db, messageId: string, runId: string): Promise<void> {
  await db.updateTable('messages').set({ runId }).where('id', '=', messageId).execute();
}
