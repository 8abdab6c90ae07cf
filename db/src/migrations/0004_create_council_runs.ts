import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('council_runs')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('conversation_id', 'uuid', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('user_message_id', 'uuid', (c) => c.notNull().references('messages.id').onDelete('cascade'))
    .addColumn('client_request_id', 'text')
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('queued','running','completed','failed','cancelled','interrupted')`),
    )
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('models', 'jsonb', (c) => c.notNull())
    .addColumn('chairman_model', 'text', (c) => c.notNull())
    .addColumn('title_model', 'text')
    .addColumn('label_to_model', 'jsonb')
    .addColumn('aggregate', 'jsonb')
    .addColumn('error', 'jsonb')
    .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('host', 'text')
    .addColumn('heartbeat_at', 'timestamptz')
    .addColumn('started_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('council_runs_user_request_key', ['user_id', 'client_request_id'])
    .execute();
  await db.schema
    .createIndex('council_runs_conversation_idx')
    .on('council_runs')
    .columns(['conversation_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('council_runs_user_status_idx')
    .on('council_runs')
    .columns(['user_id', 'status'])
    .execute();
  // The start-up sweep looks for live runs whose heartbeat went stale.
  await sql`CREATE INDEX council_runs_live_idx ON council_runs (heartbeat_at) WHERE status IN ('queued', 'running')`.execute(
    db,
  );

  await db.schema
    .createTable('council_responses')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('run_id', 'uuid', (c) => c.notNull().references('council_runs.id').onDelete('cascade'))
    .addColumn('stage', 'text', (c) => c.notNull().check(sql`stage in ('stage1','stage2','stage3','title')`))
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('completed','failed')`))
    .addColumn('content', 'text')
    .addColumn('parsed_ranking', 'jsonb')
    .addColumn('error', 'jsonb')
    .addColumn('usage', 'jsonb')
    .addColumn('duration_ms', 'integer')
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('council_responses_run_stage_model_key', ['run_id', 'stage', 'model'])
    .execute();

  await db.schema
    .createTable('council_events')
    .addColumn('run_id', 'uuid', (c) => c.notNull().references('council_runs.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('council_events_pkey', ['run_id', 'seq'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('council_events').execute();
  await db.schema.dropTable('council_responses').execute();
  await db.schema.dropTable('council_runs').execute();
}
