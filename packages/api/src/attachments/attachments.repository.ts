import type { AttachmentKind, Database } from '@llm-council/db';
import { sql, type Kysely, type Transaction } from 'kysely';

type Db = Kysely<Database> | Transaction<Database>;

/** What a client sees of an attachment: never its bytes. */
export interface AttachmentView {
  id: string;
  name: string;
  kind: AttachmentKind;
  mediaType: string;
  size: number;
  /** Characters of text the models read (a PDF's extracted text); 0 for images. */
  textChars: number;
}

/** An attachment with its content, as a run or an export reads it. */
export interface AttachmentContent extends AttachmentView {
  messageId: string | null;
  sha256: string;
  data: Uint8Array;
  text: string | null;
}

const viewColumns = [
  'a.id',
  'a.name',
  'b.kind',
  'b.mediaType',
  'b.size',
  sql<number>`coalesce(char_length(b.text), 0)::int`.as('textChars'),
] as const;

function withBlob(db: Db) {
  return db
    .selectFrom('attachments as a')
    .innerJoin('attachmentBlobs as b', (join) =>
      join.onRef('b.userId', '=', 'a.userId').onRef('b.sha256', '=', 'a.sha256'),
    );
}

/** Whether the user already stores these bytes (a second upload of them takes no more room). */
export async function hasBlob(db: Db, userId: string, sha256: string): Promise<boolean> {
  const row = await db
    .selectFrom('attachmentBlobs')
    .select('sha256')
    .where('userId', '=', userId)
    .where('sha256', '=', sha256)
    .executeTakeFirst();
  return row !== undefined;
}

/** Stores an upload: its bytes once per user and content, and a named, unattached attachment of them. */
export async function insertUpload(
  db: Kysely<Database>,
  upload: {
    userId: string;
    sha256: string;
    kind: AttachmentKind;
    mediaType: string;
    data: Uint8Array;
    text: string | null;
    name: string;
    messageId?: string | null;
    position?: number | null;
  },
): Promise<AttachmentView> {
  return db.transaction().execute(async (trx) => insertUploadIn(trx, upload));
}

/** `insertUpload` inside a caller's transaction (an import writes many). */
export async function insertUploadIn(
  trx: Transaction<Database>,
  upload: Parameters<typeof insertUpload>[1],
): Promise<AttachmentView> {
  await trx
    .insertInto('attachmentBlobs')
    .values({
      userId: upload.userId,
      sha256: upload.sha256,
      kind: upload.kind,
      mediaType: upload.mediaType,
      size: upload.data.byteLength,
      data: upload.data,
      text: upload.text,
    })
    .onConflict((oc) => oc.columns(['userId', 'sha256']).doNothing())
    .execute();
  const { id } = await trx
    .insertInto('attachments')
    .values({
      userId: upload.userId,
      sha256: upload.sha256,
      name: upload.name,
      messageId: upload.messageId ?? null,
      position: upload.position ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return {
    id,
    name: upload.name,
    kind: upload.kind,
    mediaType: upload.mediaType,
    size: upload.data.byteLength,
    textChars: upload.text?.length ?? 0,
  };
}

/** The user's attachments among `ids` with their content (others' and unknown ids are simply absent). */
export async function findAttachmentsOfUser(db: Db, userId: string, ids: string[]): Promise<AttachmentContent[]> {
  if (ids.length === 0) return [];
  return withBlob(db)
    .select([...viewColumns, 'a.messageId', 'a.sha256', 'b.data', 'b.text'])
    .where('a.userId', '=', userId)
    .where('a.id', 'in', ids)
    .execute();
}

/** One attachment of the user, with its bytes (the download route). */
export async function findAttachmentOfUser(db: Db, userId: string, id: string): Promise<AttachmentContent | undefined> {
  return (await findAttachmentsOfUser(db, userId, [id]))[0];
}

/**
 * Binds unattached uploads to a question, in the given order. Returns how many were bound: fewer
 * than asked means one was attached meanwhile (by a parallel start), and the caller rolls back.
 */
export async function bindAttachments(
  trx: Transaction<Database>,
  userId: string,
  ids: string[],
  messageId: string,
): Promise<number> {
  let bound = 0;
  for (const [position, id] of ids.entries()) {
    const result = await trx
      .updateTable('attachments')
      .set({ messageId, position })
      .where('id', '=', id)
      .where('userId', '=', userId)
      .where('messageId', 'is', null)
      .executeTakeFirst();
    bound += Number(result.numUpdatedRows);
  }
  return bound;
}

/** A question's attachments copied to another question (an edited or regenerated version of it). */
export async function copyAttachments(
  trx: Transaction<Database>,
  fromMessageId: string,
  toMessageId: string,
): Promise<void> {
  await trx
    .insertInto('attachments')
    .columns(['userId', 'sha256', 'name', 'messageId', 'position'])
    .expression((eb) =>
      eb
        .selectFrom('attachments')
        .select(['userId', 'sha256', 'name', sql<string>`${toMessageId}::uuid`.as('messageId'), 'position'])
        .where('messageId', '=', fromMessageId),
    )
    .execute();
}

/** The attachments of questions, in order, without content (a conversation's view). */
export async function listAttachmentsOfMessages(
  db: Db,
  messageIds: string[],
): Promise<(AttachmentView & { messageId: string })[]> {
  if (messageIds.length === 0) return [];
  const rows = await withBlob(db)
    .select([...viewColumns, 'a.messageId'])
    .where('a.messageId', 'in', messageIds)
    .orderBy('a.messageId')
    .orderBy('a.position')
    .execute();
  return rows.map((r) => ({ ...r, messageId: r.messageId ?? '' }));
}

/** The attachments of questions with their content, in order (a run, an export). */
export async function listAttachmentContentOfMessages(db: Db, messageIds: string[]): Promise<AttachmentContent[]> {
  if (messageIds.length === 0) return [];
  return withBlob(db)
    .select([...viewColumns, 'a.messageId', 'a.sha256', 'b.data', 'b.text'])
    .where('a.messageId', 'in', messageIds)
    .orderBy('a.messageId')
    .orderBy('a.position')
    .execute();
}

/** Deletes uploads never attached to a question that are older than `before` (of one user, or everyone's). */
export async function deleteUnattachedBefore(db: Db, before: Date, userId?: string): Promise<number> {
  let query = db.deleteFrom('attachments').where('messageId', 'is', null).where('createdAt', '<', before);
  if (userId !== undefined) query = query.where('userId', '=', userId);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}
