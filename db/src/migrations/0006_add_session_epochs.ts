import type { Kysely } from 'kysely';

/**
 * Sessions get an epoch. Each user has one (`users.session_epoch`); each refresh token carries
 * the epoch it was issued under, and so does each access token. Ending every session (password
 * change, "sign out everywhere", a disabled account) bumps the user's epoch: a refresh that was
 * racing it inserts a successor with the old epoch, which can never be rotated or used, instead
 * of a live session. `ip` remembers where a session signed in, for the session list.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('users')
    .addColumn('session_epoch', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('refresh_tokens')
    .addColumn('session_epoch', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('ip', 'text')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('refresh_tokens').dropColumn('ip').dropColumn('session_epoch').execute();
  await db.schema.alterTable('users').dropColumn('session_epoch').execute();
}
