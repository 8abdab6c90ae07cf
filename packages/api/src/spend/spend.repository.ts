import type { Database, KeySource } from '@llm-council/db';
import type { Kysely } from 'kysely';
import { activeRunStatuses } from '../constants.js';

type Db = Kysely<Database>;

export type { KeySource };

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

export interface ActiveRunShape {
  id: string;
  models: string[];
  titleModel: string | null;
  /** What the run was admitted for; null for runs admitted before the ledger. */
  reservedTokens: number | null;
}

/** The user's runs on one kind of key that are still going: each holds what it may yet spend. */
export async function listActiveRunShapes(db: Db, userId: string, keySource: KeySource): Promise<ActiveRunShape[]> {
  return db
    .selectFrom('councilRuns')
    .select(['id', 'models', 'titleModel', 'reservedTokens'])
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
