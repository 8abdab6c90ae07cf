import { sql, type Kysely } from 'kysely';

/**
 * Attachments are searchable (issue 22 §2): each attached file gets a search entry of kind
 * `attachment` on its question — its name and its text (a PDF's extracted text; an image, its
 * name only) — kept in step by triggers like every other entry: written when the upload is
 * attached (or imported attached), removed with the attachment.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE search_entries DROP CONSTRAINT search_entries_kind_check`.execute(db);
  await sql`
    ALTER TABLE search_entries ADD CONSTRAINT search_entries_kind_check
    CHECK (kind IN ('title', 'question', 'answer', 'final', 'attachment'))`.execute(db);

  await sql`
    CREATE FUNCTION search_sync_attachment() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        DELETE FROM search_entries WHERE source_id = OLD.id;
        RETURN NULL;
      END IF;
      IF NEW.message_id IS NULL THEN
        RETURN NULL;
      END IF;
      INSERT INTO search_entries (source_id, user_id, conversation_id, message_id, kind, body)
      SELECT NEW.id, NEW.user_id, m.conversation_id, NEW.message_id, 'attachment',
             NEW.name || E'\n' || coalesce(b.text, '')
      FROM messages m, attachment_blobs b
      WHERE m.id = NEW.message_id AND b.user_id = NEW.user_id AND b.sha256 = NEW.sha256
      ON CONFLICT (source_id) DO UPDATE SET body = EXCLUDED.body, message_id = EXCLUDED.message_id;
      RETURN NULL;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER search_sync_attachment AFTER INSERT OR UPDATE OF message_id OR DELETE ON attachments
    FOR EACH ROW EXECUTE FUNCTION search_sync_attachment()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER search_sync_attachment ON attachments`.execute(db);
  await sql`DROP FUNCTION search_sync_attachment()`.execute(db);
  await sql`DELETE FROM search_entries WHERE kind = 'attachment'`.execute(db);
  await sql`ALTER TABLE search_entries DROP CONSTRAINT search_entries_kind_check`.execute(db);
  await sql`
    ALTER TABLE search_entries ADD CONSTRAINT search_entries_kind_check
    CHECK (kind IN ('title', 'question', 'answer', 'final'))`.execute(db);
}
