import { sql, type Kysely } from 'kysely';

/**
 * How much council a run gets and what it was asked with, and the users' saved councils.
 * A run records its mode (`full`: answers, reviews, chairman — every earlier run; `ranked`: no
 * chairman; `answers`: stage 1 only), its standing instructions, reasoning effort and web search,
 * so a retry asks exactly what the first attempt asked. `councils` are a user's named presets.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('council_runs')
    .addColumn('mode', 'text', (c) =>
      c
        .notNull()
        .defaultTo('full')
        .check(sql`mode in ('full', 'ranked', 'answers')`),
    )
    .addColumn('instructions', 'text')
    .addColumn('reasoning_effort', 'text', (c) =>
      c
        .notNull()
        .defaultTo('none')
        .check(sql`reasoning_effort in ('none', 'low', 'medium', 'high')`),
    )
    .addColumn('web_search', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();

  await db.schema
    .createTable('councils')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('models', 'jsonb', (c) => c.notNull())
    .addColumn('chairman_model', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull().check(sql`mode in ('full', 'ranked', 'answers')`))
    .addColumn('instructions', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('reasoning_effort', 'text', (c) =>
      c.notNull().check(sql`reasoning_effort in ('none', 'low', 'medium', 'high')`),
    )
    .addColumn('web_search', 'boolean', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('councils_user_name_key', ['user_id', 'name'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('councils').execute();
  await db.schema
    .alterTable('council_runs')
    .dropColumn('web_search')
    .dropColumn('reasoning_effort')
    .dropColumn('instructions')
    .dropColumn('mode')
    .execute();
}
