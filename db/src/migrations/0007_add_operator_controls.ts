import { sql, type Kysely } from 'kysely';

/**
 * What an operator controls and what a user can audit: admins, disabled accounts, who may spend
 * the server's fallback key (and what each run spent it on), single-use invites stored only as
 * hashes, and a security log of sign-ins, key changes and account actions.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('users')
    .addColumn('is_admin', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('disabled_at', 'timestamptz')
    // null: the operator's SERVER_KEY_USERS policy decides; true/false overrides it for this user.
    .addColumn('server_key_allowed', 'boolean')
    // A user's own daily caps for runs on their own key (null: no cap).
    .addColumn('daily_token_cap', 'bigint')
    .addColumn('daily_usd_cap', 'double precision')
    .execute();

  await db.schema
    .alterTable('council_runs')
    .addColumn('key_source', 'text', (c) =>
      c
        .notNull()
        .defaultTo('own')
        .check(sql`key_source in ('own', 'server')`),
    )
    .execute();
  await db.schema
    .createIndex('council_runs_user_key_source_idx')
    .on('council_runs')
    .columns(['user_id', 'key_source', 'created_at'])
    .execute();

  await db.schema
    .createTable('invites')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    // SHA-256 of the code, hex: the code itself is shown once by the CLI and never stored.
    .addColumn('code_hash', 'text', (c) => c.notNull().unique())
    .addColumn('email', 'text')
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .addColumn('used_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('audit_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('user_id', 'uuid', (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('detail', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('audit_events_user_created_idx')
    .on('audit_events')
    .columns(['user_id', 'created_at'])
    .execute();
  await db.schema.createIndex('audit_events_created_idx').on('audit_events').column('created_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('audit_events').execute();
  await db.schema.dropTable('invites').execute();
  await db.schema.dropIndex('council_runs_user_key_source_idx').execute();
  await db.schema.alterTable('council_runs').dropColumn('key_source').execute();
  await db.schema
    .alterTable('users')
    .dropColumn('daily_usd_cap')
    .dropColumn('daily_token_cap')
    .dropColumn('server_key_allowed')
    .dropColumn('disabled_at')
    .dropColumn('is_admin')
    .execute();
}
