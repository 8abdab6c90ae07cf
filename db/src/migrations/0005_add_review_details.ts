import type { Kysely } from 'kysely';

/**
 * Peer review keeps more than a ranking: the order each reviewer read the answers in, how its
 * ranking was read, whether it was repaired, its rank of its own answer. They are stored as one
 * jsonb per review (they are shown, never queried); the run keeps the reviewers' agreement.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('council_responses').addColumn('review_details', 'jsonb').execute();
  await db.schema.alterTable('council_runs').addColumn('agreement', 'jsonb').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('council_runs').dropColumn('agreement').execute();
  await db.schema.alterTable('council_responses').dropColumn('review_details').execute();
}
