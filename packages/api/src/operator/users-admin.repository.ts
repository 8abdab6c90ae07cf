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
}

export async function listUsers(db: Db): Promise<UserListing[]> {
  return db
    .selectFrom('users')
    .select(['id', 'email', 'isAdmin', 'disabledAt', 'serverKeyAllowed', 'createdAt'])
    .orderBy('createdAt')
    .execute();
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
