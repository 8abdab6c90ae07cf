import { sql, type Kysely } from 'kysely';

/**
 * The spend ledger: one row per paid upstream call (user, whose key, provider, model, tokens,
 * cost, time, run). Budgets and usage read it instead of summing `council_responses`, so what was
 * spent stays spent: deleting a conversation only clears `run_id` (ON DELETE SET NULL), importing
 * one writes nothing here, and only deleting the account (ON DELETE CASCADE) removes its rows.
 * A trigger refuses every other UPDATE: the table is append-only.
 *
 * Also `council_runs.reserved_tokens`: what a run was admitted for (the estimated prompt plus the
 * largest answer of every call it will make), so later admissions see what it may still spend.
 *
 * Back-filled from the usage already recorded by runs made here (conversations not imported);
 * title rows take the run's title model, since their response row names the stage only.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE spend_ledger (
      id bigserial PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      run_id uuid REFERENCES council_runs(id) ON DELETE SET NULL,
      key_source text NOT NULL CHECK (key_source IN ('own', 'server')),
      provider text NOT NULL,
      model text NOT NULL,
      stage text NOT NULL CHECK (stage IN ('stage1', 'stage2', 'stage3', 'title')),
      prompt_tokens bigint NOT NULL CHECK (prompt_tokens >= 0),
      completion_tokens bigint NOT NULL CHECK (completion_tokens >= 0),
      reasoning_tokens bigint NOT NULL DEFAULT 0 CHECK (reasoning_tokens >= 0),
      cost double precision CHECK (cost >= 0),
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX spend_ledger_user_key_created_idx ON spend_ledger (user_id, key_source, created_at)`.execute(
    db,
  );
  await sql`CREATE INDEX spend_ledger_user_created_idx ON spend_ledger (user_id, created_at)`.execute(db);
  await sql`CREATE INDEX spend_ledger_run_idx ON spend_ledger (run_id)`.execute(db);

  await sql`
    CREATE FUNCTION spend_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      -- The one update allowed: the run's rows losing their run when its conversation is deleted.
      IF NEW.run_id IS NULL AND (to_jsonb(NEW) - 'run_id') = (to_jsonb(OLD) - 'run_id') THEN
        RETURN NEW;
      END IF;
      RAISE EXCEPTION 'spend_ledger is append-only';
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER spend_ledger_append_only BEFORE UPDATE ON spend_ledger
    FOR EACH ROW EXECUTE FUNCTION spend_ledger_append_only()`.execute(db);

  await sql`ALTER TABLE council_runs ADD COLUMN reserved_tokens bigint`.execute(db);

  await sql`
    INSERT INTO spend_ledger (user_id, run_id, key_source, provider, model, stage,
                              prompt_tokens, completion_tokens, cost, created_at)
    SELECT r.user_id, r.id, r.key_source, r.provider,
           CASE WHEN s.stage = 'title' THEN coalesce(r.title_model, r.chairman_model) ELSE s.model END,
           s.stage,
           coalesce((s.usage->>'promptTokens')::bigint, 0),
           coalesce((s.usage->>'completionTokens')::bigint, 0),
           (s.usage->>'cost')::float8,
           s.created_at
    FROM council_responses s
    JOIN council_runs r ON r.id = s.run_id
    JOIN conversations c ON c.id = r.conversation_id
    WHERE s.usage IS NOT NULL AND c.imported_at IS NULL`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE council_runs DROP COLUMN reserved_tokens`.execute(db);
  await sql`DROP TABLE spend_ledger`.execute(db);
  await sql`DROP FUNCTION spend_ledger_append_only()`.execute(db);
}
