import type { Database } from '@llm-council/db';
import { sql, type Kysely } from 'kysely';
import { activeRunStatuses } from '../constants.js';

type Db = Kysely<Database>;

export type KeySource = 'own' | 'server';

export interface SpendStanding {
  isAdmin: boolean;
  serverKeyAllowed: boolean | null;
  dailyTokenCap: number | null;
  dailyUsdCap: number | null;
}

export async function findSpendStanding(db: Db, userId: string): Promise<SpendStanding | undefined> {
  return db
    .selectFrom('users')
    .select(['isAdmin', 'serverKeyAllowed', 'dailyTokenCap', 'dailyUsdCap'])
    .where('id', '=', userId)
    .executeTakeFirst();
}

/** What the user's runs on one kind of key have used since `since`, from the usage each answer recorded. */
export async function sumUsageSince(
  db: Db,
  userId: string,
  keySource: KeySource,
  since: Date,
): Promise<{ tokens: number; usd: number }> {
  const row = await db
    .selectFrom('councilResponses')
    .innerJoin('councilRuns', 'councilRuns.id', 'councilResponses.runId')
    .select([
      sql<number>`coalesce(sum((council_responses.usage->>'totalTokens')::bigint), 0)::float8`.as('tokens'),
      sql<number>`coalesce(sum((council_responses.usage->>'cost')::float8), 0)::float8`.as('usd'),
    ])
    .where('councilRuns.userId', '=', userId)
    .where('councilRuns.keySource', '=', keySource)
    .where('councilResponses.createdAt', '>=', since)
    .executeTakeFirstOrThrow();
  return { tokens: Number(row.tokens), usd: Number(row.usd) };
}

/** The shape of the user's runs on one kind of key that are still going: each is counted at its worst case. */
export async function listActiveRunShapes(
  db: Db,
  userId: string,
  keySource: KeySource,
): Promise<{ models: string[]; titleModel: string | null }[]> {
  return db
    .selectFrom('councilRuns')
    .select(['models', 'titleModel'])
    .where('userId', '=', userId)
    .where('keySource', '=', keySource)
    .where('status', 'in', activeRunStatuses)
    .execute();
}

export async function updateDailyCaps(
  db: Db,
  userId: string,
  caps: { dailyTokenCap: number | null; dailyUsdCap: number | null },
  now: Date,
): Promise<void> {
  await db
    .updateTable('users')
    .set({ ...caps, updatedAt: now })
    .where('id', '=', userId)
    .execute();
}
