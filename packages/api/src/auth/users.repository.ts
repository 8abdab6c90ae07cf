import { sql, type Kysely } from 'kysely';
import type { Database } from '@llm-council/db';

export interface PublicUser {
  id: string;
  email: string;
  createdAt: Date;
}

const publicColumns = ['id', 'email', 'createdAt'] as const;

/** What every signed-in call needs to know about its user beyond the public fields. */
export interface UserStanding {
  tokensValidAfter: Date | null;
  isAdmin: boolean;
  disabledAt: Date | null;
}

export async function findUserById(db: Kysely<Database>, id: string): Promise<(PublicUser & UserStanding) | undefined> {
  return db
    .selectFrom('users')
    .select([...publicColumns, 'tokensValidAfter', 'isAdmin', 'disabledAt'])
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function findUserByEmail(
  db: Kysely<Database>,
  email: string,
): Promise<(PublicUser & UserStanding & { passwordHash: string }) | undefined> {
  return db
    .selectFrom('users')
    .select([...publicColumns, 'passwordHash', 'tokensValidAfter', 'isAdmin', 'disabledAt'])
    .where('email', '=', email)
    .executeTakeFirst();
}

export async function findPasswordHash(db: Kysely<Database>, id: string): Promise<string | undefined> {
  const row = await db.selectFrom('users').select('passwordHash').where('id', '=', id).executeTakeFirst();
  return row?.passwordHash;
}

/** Inserts a user; returns undefined when the email is already registered. */
export async function insertUser(
  db: Kysely<Database>,
  values: { email: string; passwordHash: string; isAdmin?: boolean },
): Promise<PublicUser | undefined> {
  return db
    .insertInto('users')
    .values(values)
    .onConflict((oc) => oc.expression(sql`lower(email)`).doNothing())
    .returning(publicColumns)
    .executeTakeFirst();
}

export async function updatePasswordHash(
  db: Kysely<Database>,
  id: string,
  passwordHash: string,
  options: { now: Date; invalidateTokensAt?: Date },
): Promise<void> {
  await db
    .updateTable('users')
    .set({
      passwordHash,
      updatedAt: options.now,
      ...(options.invalidateTokensAt ? { tokensValidAfter: options.invalidateTokensAt } : {}),
    })
    .where('id', '=', id)
    .execute();
}
