import { sql, type Kysely } from 'kysely';
import type { Database } from '@llm-council/db';

type Db = Kysely<Database>;

/**
 * The user a session token speaks for, if its session is still live — in one statement: the
 * user exists, the token's epoch is the user's current one, and its refresh family still has a
 * token that is neither revoked nor expired nor of an older epoch. Ending one session (revoking
 * its family) or all of them (bumping the epoch) refuses the token on its next call.
 */
export async function findUserOfLiveSession(
  db: Db,
  args: { userId: string; sessionId: string; epoch: number; now: Date },
): Promise<{ id: string; email: string; tokensValidAfter: Date | null; disabledAt: Date | null } | undefined> {
  return db
    .selectFrom('users')
    .select(['users.id', 'users.email', 'users.tokensValidAfter', 'users.disabledAt'])
    .where('users.id', '=', args.userId)
    .where('users.sessionEpoch', '=', args.epoch)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('refreshTokens')
          .select(sql`1`.as('one'))
          .where('refreshTokens.familyId', '=', args.sessionId)
          .whereRef('refreshTokens.userId', '=', 'users.id')
          .whereRef('refreshTokens.sessionEpoch', '=', 'users.sessionEpoch')
          .where('refreshTokens.revokedAt', 'is', null)
          .where('refreshTokens.expiresAt', '>', args.now),
      ),
    )
    .executeTakeFirst();
}

/**
 * Ends every session of the user: the epoch moves on (so a refresh racing this cannot leave a
 * usable successor) and every refresh token is revoked. Takes the transaction the caller opened.
 */
export async function bumpSessionEpoch(db: Db, userId: string, now: Date): Promise<number | undefined> {
  const row = await db
    .updateTable('users')
    .set({ sessionEpoch: sql<number>`session_epoch + 1`, updatedAt: now })
    .where('id', '=', userId)
    .returning('sessionEpoch')
    .executeTakeFirst();
  await db
    .updateTable('refreshTokens')
    .set({ revokedAt: now })
    .where('userId', '=', userId)
    .where('revokedAt', 'is', null)
    .execute();
  return row?.sessionEpoch;
}

/** Revokes one session (refresh family) of the user; false when it is not theirs or already over. */
export async function revokeSessionOfUser(db: Db, userId: string, sessionId: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('refreshTokens')
    .set({ revokedAt: now })
    .where('userId', '=', userId)
    .where('familyId', '=', sessionId)
    .where('revokedAt', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Revokes every session of the user but one (the caller's). */
export async function revokeOtherSessions(db: Db, userId: string, keepSessionId: string, now: Date): Promise<number> {
  const result = await db
    .updateTable('refreshTokens')
    .set({ revokedAt: now })
    .where('userId', '=', userId)
    .where('familyId', '!=', keepSessionId)
    .where('revokedAt', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export interface SessionRow {
  id: string;
  userAgent: string | null;
  ip: string | null;
  createdAt: Date;
  lastUsedAt: Date;
}

/**
 * The user's live sessions, newest use first. A session is a refresh family; its current token
 * (the unrotated one) carries the device as last seen, and its first token when it began.
 */
export async function listLiveSessions(db: Db, userId: string, now: Date): Promise<SessionRow[]> {
  const rows = await db
    .selectFrom('refreshTokens as current')
    .innerJoin('users', 'users.id', 'current.userId')
    .select([
      'current.familyId as id',
      'current.userAgent',
      'current.ip',
      'current.createdAt as lastUsedAt',
      (eb) =>
        eb
          .selectFrom('refreshTokens as first')
          .select((f) => f.fn.min('first.createdAt').as('startedAt'))
          .whereRef('first.familyId', '=', 'current.familyId')
          .as('createdAt'),
    ])
    .where('current.userId', '=', userId)
    .whereRef('current.sessionEpoch', '=', 'users.sessionEpoch')
    .where('current.rotatedAt', 'is', null)
    .where('current.revokedAt', 'is', null)
    .where('current.expiresAt', '>', now)
    .orderBy('current.createdAt', 'desc')
    .limit(200)
    .execute();
  return rows.map((row) => ({ ...row, createdAt: new Date(row.createdAt ?? row.lastUsedAt) }));
}

/**
 * Revokes every live personal access token of the user (a password change, logout everywhere):
 * ending sessions is identity's job, so it lives here rather than in tokens/; returns how many.
 */
export async function revokeTokensOfUser(db: Db, userId: string, now: Date): Promise<number> {
  const result = await db
    .updateTable('personalAccessTokens')
    .set({ revokedAt: now })
    .where('userId', '=', userId)
    .where('revokedAt', 'is', null)
    .where((eb) => eb.or([eb('expiresAt', 'is', null), eb('expiresAt', '>', now)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
