import { sql, type Kysely } from 'kysely';

/**
 * Where a conversation was started: `app` (the web app, or the SDK signed in with a password),
 * `api` (a personal access token: scripts, the CLI), `mcp` (an MCP client's `consult_council`)
 * or `openai` (the OpenAI-compatible endpoint). Earlier conversations count as `app`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('conversations')
    .addColumn('source', 'text', (c) =>
      c
        .notNull()
        .defaultTo('app')
        .check(sql`source in ('app', 'api', 'mcp', 'openai')`),
    )
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('conversations').dropColumn('source').execute();
}
