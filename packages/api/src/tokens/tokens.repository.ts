import type { AccessTokenScope, Database } from '@llm-council/db';
import type { Kysely, Transaction } from 'kysely';

type Db = Kysely<Database> | Transaction<Database>;

export interface AccessTokenSummary {
  id: string;
  name: string;
  prefix: string;
  scopes: AccessTokenScope[];
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  createdAt: Date;
}

const summaryColumns = ['id', 'name', 'prefix', 'scopes', 'expiresAt', 'lastUsedAt', 'createdAt'] as const;

/** Serialises token creation per user (the cap is counted and the row inserted under this lock). */
export async function lockUserTokens(trx: Transaction<Database>, userId: string): Promise<boolean> {
  const row = await trx.selectFrom('users').select('id').where('id', '=', userId).forUpdate().executeTakeFirst();
  return row !== undefined;
}

/** Tokens that still count against the cap: not revoked and not expired. */
export async function countLiveTokens(db: Db, userId: string, now: Date): Promise<number> {
  const row = await db
    .selectFrom('personalAccessTokens')
    .select((eb) => eb.fn.countAll<string | number>().as('count'))
    .where('userId', '=', userId)
    .where('revokedAt', 'is', null)
    .where((eb) => eb.or([eb('expiresAt', 'is', null), eb('expiresAt', '>', now)]))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function insertToken(
  db: Db,
  values: {
    userId: string;
    name: string;
    prefix: string;
    tokenHash: string;
    scopes: AccessTokenScope[];
    expiresAt: Date | null;
    createdAt: Date;
  },
): Promise<AccessTokenSummary> {
  return db
    .insertInto('personalAccessTokens')
    .values({ ...values, scopes: JSON.stringify(values.scopes) })
    .returning(summaryColumns)
    .executeTakeFirstOrThrow();
}

/** The caller's unrevoked tokens (expired ones included, so the user sees why a script stopped). */
export async function listTokens(db: Db, userId: string): Promise<AccessTokenSummary[]> {
  return db
    .selectFrom('personalAccessTokens')
    .select(summaryColumns)
    .where('userId', '=', userId)
    .where('revokedAt', 'is', null)
    .orderBy('createdAt', 'desc')
    .orderBy('id')
    .execute();
}

/** Revokes one of the caller's tokens; false when there is none (another user's id included). */
export async function revokeToken(db: Db, userId: string, id: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('personalAccessTokens')
    .set({ revokedAt: now })
    .where('id', '=', id)
    .where('userId', '=', userId)
    .where('revokedAt', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export interface TokenForAuth {
  id: string;
  userId: string;
  email: string;
  /** The owner's `disabled_at`: a disabled user's tokens are refused with ACCOUNT_DISABLED. */
  disabledAt: Date | null;
  scopes: AccessTokenScope[];
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

/** The token with this hash and its owner (a deleted user's tokens are gone with the user). */
export async function findTokenByHash(db: Db, tokenHash: string): Promise<TokenForAuth | undefined> {
  return db
    .selectFrom('personalAccessTokens as t')
    .innerJoin('users as u', 'u.id', 't.userId')
    .select(['t.id', 't.userId', 'u.email', 'u.disabledAt', 't.scopes', 't.expiresAt', 't.revokedAt', 't.lastUsedAt'])
    .where('t.tokenHash', '=', tokenHash)
    .executeTakeFirst();
}

/** Records use, at most once per `staleBefore` window: concurrent requests write once, not each. */
export async function touchToken(db: Db, id: string, now: Date, staleBefore: Date): Promise<void> {
  await db
    .updateTable('personalAccessTokens')
    .set({ lastUsedAt: now })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('lastUsedAt', 'is', null), eb('lastUsedAt', '<', staleBefore)]))
    .execute();
}
