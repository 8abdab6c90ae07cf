import type { Database } from '@llm-council/db';
import { sql, type Kysely } from 'kysely';
import { activeRunStatuses } from '../constants.js';

type Db = Kysely<Database>;

/** The user's email, with their row locked until the transaction ends; undefined if already gone. */
export async function lockUserForDeletion(trx: Db, userId: string): Promise<{ email: string } | undefined> {
  return trx.selectFrom('users').select('email').where('id', '=', userId).forUpdate().executeTakeFirst();
}

/** Runs of the user that may still be calling the provider. */
export async function listActiveRunIds(db: Db, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('councilRuns')
    .select('id')
    .where('userId', '=', userId)
    .where('status', 'in', activeRunStatuses)
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Deletes every row of the user. Most go with the `users` row through `ON DELETE CASCADE`
 * (conversations → messages, runs → responses and events, search entries, API keys, refresh
 * tokens, personal access tokens, the user's security log). Three kinds of rows name the user
 * without a cascading key, and are deleted here first:
 * - rate-limit counters whose key carries the user's id (`change-password:user:<id>`, …) or
 *   email (`login-failures:<email>`); counters keyed by an address stay (they are not the user's);
 * - invites the user redeemed (the row holds their email) or created (an `ON DELETE SET NULL` key).
 * Takes the caller's transaction.
 */
export async function deleteUserRows(trx: Db, user: { id: string; email: string }): Promise<void> {
  await trx
    .deleteFrom('rateLimits')
    .where((eb) => eb.or([eb(sql`strpos(key, ${user.id})`, '>', 0), eb('key', '=', `login-failures:${user.email}`)]))
    .execute();
  await trx
    .deleteFrom('invites')
    .where((eb) => eb.or([eb('usedBy', '=', user.id), eb('createdBy', '=', user.id)]))
    .execute();
  await trx.deleteFrom('users').where('id', '=', user.id).execute();
}
