import type { Kysely } from 'kysely';

/**
 * Reasoning models: what a model thought before it answered (its streamed `delta.reasoning`),
 * kept with the answer so the "Thinking…" section is still there after a reload and after the
 * word-by-word event history is cleaned up. Never sent to reviewers or the chairman, and left out
 * of exports. Null: the model did not think aloud.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('council_responses').addColumn('reasoning', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('council_responses').dropColumn('reasoning').execute();
}
