import type { Database } from '@llm-council/db';
import { sql, type Kysely } from 'kysely';

type Db = Kysely<Database>;

export interface UserListing {
  id: string;
  email: string;
  isAdmin: boolean;
  disabledAt: Date | null;
  serverKeyAllowed: boolean | null;
  createdAt: Date;
  /** Spent since `since`, from the spend ledger: deleting a conversation keeps it, imports never add to it. */
  spentTokens: number;
  spentUsd: number;
}

export async function listUsers(db: Db, since: Date): Promise<UserListing[]> {
  const rows = await db
    .selectFrom('users')
    .leftJoin(
      (eb) =>
        eb
          .selectFrom('spendLedger')
          .select([
            'userId',
            sql<number>`sum(prompt_tokens + completion_tokens)::float8`.as('tokens'),
            sql<number>`sum(cost)::float8`.as('usd'),
          ])
          .where('createdAt', '>=', since)
          .groupBy('userId')
          .as('spent'),
      (join) => join.onRef('spent.userId', '=', 'users.id'),
    )
    .select([
      'users.id',
      'users.email',
      'users.isAdmin',
      'users.disabledAt',
      'users.serverKeyAllowed',
      'users.createdAt',
      'spent.tokens',
      'spent.usd',
    ])
    .orderBy('users.createdAt')
    .execute();
  return rows.map(({ tokens, usd, ...user }) => ({
    ...user,
    spentTokens: Number(tokens ?? 0),
    spentUsd: Number(usd ?? 0),
  }));
}

export async function findUserIdByEmail(db: Db, email: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('users')
    .select('id')
    .where(sql<string>`lower(email)`, '=', email.trim().toLowerCase())
    .executeTakeFirst();
  return row?.id;
}

export async function updateUserFlags(
  db: Db,
  userId: string,
  flags: Partial<{ disabledAt: Date | null; isAdmin: boolean; serverKeyAllowed: boolean | null }>,
  now: Date,
): Promise<void> {
  await db
    .updateTable('users')
    .set({ ...flags, updatedAt: now })
    .where('id', '=', userId)
    .execute();
}
