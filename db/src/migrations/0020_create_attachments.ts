import { sql, type Kysely } from 'kysely';

/**
 * Attachments (issue 22 §2): files a user uploads and attaches to a question. The bytes are
 * stored once per user and content (`attachment_blobs`, keyed by the SHA-256 of the bytes, with a
 * text or PDF file's text beside them); `attachments` are the named uploads pointing at them, bound
 * to a question (`message_id`) when `council.start` attaches them. An upload never attached stays
 * unbound and expires. Deleting a question (with its conversation, or the account) deletes its
 * attachments; the last attachment of a blob takes the blob with it (a trigger, so every path that
 * deletes is covered).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE attachment_blobs (
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
      kind text NOT NULL CHECK (kind IN ('text', 'pdf', 'image')),
      media_type text NOT NULL,
      size integer NOT NULL CHECK (size > 0),
      data bytea NOT NULL,
      text text,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, sha256)
    )`.execute(db);
  await sql`
    CREATE TABLE attachments (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      sha256 text NOT NULL,
      name text NOT NULL,
      message_id uuid REFERENCES messages(id) ON DELETE CASCADE,
      position integer,
      created_at timestamptz NOT NULL DEFAULT now(),
      FOREIGN KEY (user_id, sha256) REFERENCES attachment_blobs(user_id, sha256) ON DELETE CASCADE
    )`.execute(db);
  await sql`CREATE INDEX attachments_message_idx ON attachments (message_id, position)`.execute(db);
  await sql`CREATE INDEX attachments_blob_idx ON attachments (user_id, sha256)`.execute(db);
  await sql`CREATE INDEX attachments_unbound_idx ON attachments (created_at) WHERE message_id IS NULL`.execute(db);

  await sql`
    CREATE FUNCTION attachments_drop_orphan_blob() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      DELETE FROM attachment_blobs b
      WHERE b.user_id = OLD.user_id AND b.sha256 = OLD.sha256
        AND NOT EXISTS (SELECT 1 FROM attachments a WHERE a.user_id = OLD.user_id AND a.sha256 = OLD.sha256);
      RETURN NULL;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER attachments_drop_orphan_blob AFTER DELETE ON attachments
    FOR EACH ROW EXECUTE FUNCTION attachments_drop_orphan_blob()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER attachments_drop_orphan_blob ON attachments`.execute(db);
  await sql`DROP FUNCTION attachments_drop_orphan_blob()`.execute(db);
  await sql`DROP TABLE attachments`.execute(db);
  await sql`DROP TABLE attachment_blobs`.execute(db);
}
