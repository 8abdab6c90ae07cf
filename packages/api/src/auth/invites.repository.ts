import type { Database } from '@llm-council/db';
import type { Kysely } from 'kysely';

type Db = Kysely<Database>;

export async function insertInvite(
  db: Db,
  values: { codeHash: string; email: string | null; expiresAt: Date; createdBy: string | null },
): Promise<{ id: string }> {
  return db.insertInto('invites').values(values).returning('id').executeTakeFirstOrThrow();
}

/** The unused, unexpired invite with this code, without taking it (a check before any hashing). */
export async function findUsableInvite(
  db: Db,
  codeHash: string,
  now: Date,
): Promise<{ id: string; email: string | null } | undefined> {
  return db
    .selectFrom('invites')
    .select(['id', 'email'])
    .where('codeHash', '=', codeHash)
    .where('usedAt', 'is', null)
    .where('expiresAt', '>', now)
    .executeTakeFirst();
}

/**
 * Takes the invite for one sign-up: a single UPDATE that only matches an unused, unexpired code,
 * so of two sign-ups racing for one code exactly one gets a row back.
 */
export async function claimInvite(
  db: Db,
  codeHash: string,
  now: Date,
): Promise<{ id: string; email: string | null } | undefined> {
  return db
    .updateTable('invites')
    .set({ usedAt: now })
    .where('codeHash', '=', codeHash)
    .where('usedAt', 'is', null)
    .where('expiresAt', '>', now)
    .returning(['id', 'email'])
    .executeTakeFirst();
}

export async function setInviteUser(db: Db, inviteId: string, userId: string): Promise<void> {
  await db.updateTable('invites').set({ usedBy: userId }).where('id', '=', inviteId).execute();
}
