import type { Kysely } from 'kysely';

/**
 * Web search with sources: the pages a stage-1 answer cites (OpenRouter's `url_citation`
 * annotations, `[{ url, title }]`, at most 20, http(s) only), stored with the answer so the run
 * shows them after a reload and the export keeps them. Null: none (or no web search).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('council_responses').addColumn('sources', 'jsonb').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('council_responses').dropColumn('sources').execute();
}
