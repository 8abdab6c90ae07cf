import { sql, type Kysely } from 'kysely';

/**
 * Full-text search over what a user wrote and what the council answered: titles, questions,
 * stage-1 answers and final answers. They live in three tables (conversations, messages,
 * council_responses); one query must rank them together per conversation and scope them to the
 * owner, so each searchable text gets a row here with its owner and conversation beside a
 * generated `tsvector` under a GIN index. Triggers keep the rows in step with their sources, so
 * every writer (the run recorder, import, rename) is covered without remembering to.
 *
 * Bodies are indexed up to 100,000 characters: a tsvector is capped at 1 MB, and an answer past
 * that cap would otherwise fail the very write that stores it.
 *
 * Also: `conversations.imported_at`, set on conversations that came in through import.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('conversations').addColumn('imported_at', 'timestamptz').execute();

  await sql`
    CREATE TABLE search_entries (
      source_id uuid PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      conversation_id uuid NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
      message_id uuid,
      kind text NOT NULL CHECK (kind IN ('title', 'question', 'answer', 'final')),
      body text NOT NULL,
      document tsvector GENERATED ALWAYS AS (to_tsvector('english'::regconfig, left(body, 100000))) STORED
    )`.execute(db);
  await sql`CREATE INDEX search_entries_document_idx ON search_entries USING gin (document)`.execute(db);
  await sql`CREATE INDEX search_entries_user_idx ON search_entries (user_id, conversation_id)`.execute(db);

  // Titles: the placeholder every new conversation carries is not worth finding.
  await sql`
    CREATE FUNCTION search_sync_conversation() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.title = 'New Conversation' THEN
        DELETE FROM search_entries WHERE source_id = NEW.id;
      ELSE
        INSERT INTO search_entries (source_id, user_id, conversation_id, message_id, kind, body)
        VALUES (NEW.id, NEW.user_id, NEW.id, NULL, 'title', NEW.title)
        ON CONFLICT (source_id) DO UPDATE SET body = EXCLUDED.body;
      END IF;
      RETURN NULL;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER search_sync_conversation AFTER INSERT OR UPDATE OF title ON conversations
    FOR EACH ROW EXECUTE FUNCTION search_sync_conversation()`.execute(db);

  // Questions (role user) and final answers (role assistant: the chairman's answer).
  await sql`
    CREATE FUNCTION search_sync_message() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO search_entries (source_id, user_id, conversation_id, message_id, kind, body)
      SELECT NEW.id, c.user_id, NEW.conversation_id, NEW.id,
             CASE WHEN NEW.role = 'user' THEN 'question' ELSE 'final' END, NEW.content
      FROM conversations c WHERE c.id = NEW.conversation_id
      ON CONFLICT (source_id) DO UPDATE SET body = EXCLUDED.body;
      RETURN NULL;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER search_sync_message AFTER INSERT OR UPDATE OF content ON messages
    FOR EACH ROW EXECUTE FUNCTION search_sync_message()`.execute(db);

  // Stage-1 answers, found through the question they answer (the run's user message).
  await sql`
    CREATE FUNCTION search_sync_response() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.stage <> 'stage1' THEN
        RETURN NULL;
      END IF;
      IF NEW.status <> 'completed' OR NEW.content IS NULL THEN
        DELETE FROM search_entries WHERE source_id = NEW.id;
        RETURN NULL;
      END IF;
      INSERT INTO search_entries (source_id, user_id, conversation_id, message_id, kind, body)
      SELECT NEW.id, r.user_id, r.conversation_id, r.user_message_id, 'answer', NEW.content
      FROM council_runs r WHERE r.id = NEW.run_id
      ON CONFLICT (source_id) DO UPDATE SET body = EXCLUDED.body;
      RETURN NULL;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER search_sync_response AFTER INSERT OR UPDATE OF content, status ON council_responses
    FOR EACH ROW EXECUTE FUNCTION search_sync_response()`.execute(db);

  // What was written before this migration.
  await sql`
    INSERT INTO search_entries (source_id, user_id, conversation_id, message_id, kind, body)
    SELECT id, user_id, id, NULL, 'title', title FROM conversations WHERE title <> 'New Conversation'`.execute(db);
  await sql`
    INSERT INTO search_entries (source_id, user_id, conversation_id, message_id, kind, body)
    SELECT m.id, c.user_id, m.conversation_id, m.id,
           CASE WHEN m.role = 'user' THEN 'question' ELSE 'final' END, m.content
    FROM messages m JOIN conversations c ON c.id = m.conversation_id`.execute(db);
  await sql`
    INSERT INTO search_entries (source_id, user_id, conversation_id, message_id, kind, body)
    SELECT s.id, r.user_id, r.conversation_id, r.user_message_id, 'answer', s.content
    FROM council_responses s JOIN council_runs r ON r.id = s.run_id
    WHERE s.stage = 'stage1' AND s.status = 'completed' AND s.content IS NOT NULL`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER search_sync_response ON council_responses`.execute(db);
  await sql`DROP TRIGGER search_sync_message ON messages`.execute(db);
  await sql`DROP TRIGGER search_sync_conversation ON conversations`.execute(db);
  await sql`DROP FUNCTION search_sync_response()`.execute(db);
  await sql`DROP FUNCTION search_sync_message()`.execute(db);
  await sql`DROP FUNCTION search_sync_conversation()`.execute(db);
  await sql`DROP TABLE search_entries`.execute(db);
  await db.schema.alterTable('conversations').dropColumn('imported_at').execute();
}
