import { sql, type Kysely } from 'kysely';
import type { Database } from '@llm-council/db';

type Db = Kysely<Database>;

/**
 * The user an access token speaks for, if its session is still live — in one statement: the
 * user exists, the token's epoch is the user's current one, and its refresh family still has a
 * token that is neither revoked nor expired nor of an older epoch. Ending one session (revoking
 * its family) or all of them (bumping the epoch) refuses the token on its next call.
 */
export async function findUserOfLiveSession(
  db: Db,
  args: { userId: string; sessionId: string; epoch: number; now: Date },
): Promise<{ id: string; email: string; tokensValidAfter: Date | null } | undefined> {
  return db
    .selectFrom('users')
    .select(['users.id', 'users.email', 'users.tokensValidAfter'])
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
