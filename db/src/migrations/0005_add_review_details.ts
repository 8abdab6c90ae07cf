import type { Kysely } from 'kysely';

/**
 * Peer review keeps more than a ranking: the order each reviewer read the answers in, how its
 * ranking was read, whether it was repaired, its rank of its own answer. They are stored as one
 * jsonb per review (they are shown, never queried). The run keeps the verdict's details beside
 * its table: the reviewers' agreement, the table with self-votes, and the head-to-head wins.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('council_responses').addColumn('review_details', 'jsonb').execute();
  await db.schema.alterTable('council_runs').addColumn('verdict', 'jsonb').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('council_runs').dropColumn('verdict').execute();
  await db.schema.alterTable('council_responses').dropColumn('review_details').execute();
}
