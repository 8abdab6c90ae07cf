import { type ExpressionBuilder, type Kysely, type Transaction } from 'kysely';
import type { Database, RefreshToken } from '@llm-council/db';

type Db = Kysely<Database>;

/**
 * Inserts a token. A family's first token takes the user's current session epoch, read in the
 * same statement; a successor takes its parent's (which was checked when the parent was claimed).
 * Returns the epoch stored, which the access token issued with it carries.
 */
export async function insertRefreshToken(
  db: Db,
  values: {
    userId: string;
    familyId: string;
    tokenHash: string;
    parentId: string | null;
    expiresAt: Date;
    userAgent: string | null;
    ip: string | null;
    sessionEpoch: number | null;
  },
): Promise<number> {
  const { sessionEpoch, ...rest } = values;
  const row = await db
    .insertInto('refreshTokens')
    .values({
      ...rest,
      sessionEpoch:
        sessionEpoch ?? db.selectFrom('users').select('users.sessionEpoch').where('users.id', '=', values.userId),
    })
    .returning('sessionEpoch')
    .executeTakeFirstOrThrow();
  return row.sessionEpoch;
}

/** Only a token issued under the user's current session epoch may be rotated. */
function isOfCurrentEpoch(eb: ExpressionBuilder<Database, 'refreshTokens'>) {
  return eb(
    'refreshTokens.sessionEpoch',
    '=',
    eb.selectFrom('users').select('users.sessionEpoch').whereRef('users.id', '=', 'refreshTokens.userId'),
  );
}

/**
 * Marks a live token as used, atomically: of several concurrent callers presenting the same
 * token exactly one gets the row back (no check-then-use race). Takes a transaction because the
 * successor must be inserted in the same one: committed alone, the claim would end the session.
 */
export async function claimRefreshToken(
  db: Transaction<Database>,
  tokenHash: string,
  now: Date,
): Promise<RefreshToken | undefined> {
  return db
    .updateTable('refreshTokens')
    .set({ rotatedAt: now, lastUsedAt: now })
    .where('tokenHash', '=', tokenHash)
    .where('rotatedAt', 'is', null)
    .where('revokedAt', 'is', null)
    .where('expiresAt', '>', now)
    .where(isOfCurrentEpoch)
    .returningAll()
    .executeTakeFirst();
}

/**
 * Claims the family's current (unrotated) token, whatever its hash; used in the grace window.
 * In a transaction for the same reason as `claimRefreshToken`.
 */
export async function claimLiveTokenOfFamily(
  db: Transaction<Database>,
  familyId: string,
  now: Date,
): Promise<RefreshToken | undefined> {
  return db
    .updateTable('refreshTokens')
    .set({ rotatedAt: now, lastUsedAt: now })
    .where('id', '=', (eb) =>
      eb
        .selectFrom('refreshTokens')
        .select('id')
        .where('familyId', '=', familyId)
        .where('rotatedAt', 'is', null)
        .where('revokedAt', 'is', null)
        .where('expiresAt', '>', now)
        .limit(1),
    )
    .where('rotatedAt', 'is', null)
    .where(isOfCurrentEpoch)
    .returningAll()
    .executeTakeFirst();
}

export async function findRefreshTokenByHash(db: Db, tokenHash: string): Promise<RefreshToken | undefined> {
  return db.selectFrom('refreshTokens').selectAll().where('tokenHash', '=', tokenHash).executeTakeFirst();
}

export async function revokeFamily(db: Db, familyId: string, now: Date): Promise<void> {
  await db
    .updateTable('refreshTokens')
    .set({ revokedAt: now })
    .where('familyId', '=', familyId)
    .where('revokedAt', 'is', null)
    .execute();
}
