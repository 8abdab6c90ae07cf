import type { Database } from '@llm-council/db';
import { sql, type Kysely } from 'kysely';

type Db = Kysely<Database>;

/**
 * What a user stores, in bytes: the text of every message, and every answer and review of their
 * runs, and the files they uploaded (each stored file once, however often it is attached; the
 * titles, ids and small JSON beside them are left out: they are bounded per row).
 * Read on the usage page and before an import; two aggregate queries over the owner's rows.
 */
export async function measureStoredBytes(db: Db, userId: string): Promise<number> {
  const { rows } = await sql<{ bytes: string | number }>`
    select
      coalesce((select sum(octet_length(m.content)) from messages m
                join conversations c on c.id = m.conversation_id where c.user_id = ${userId}), 0)
    + coalesce((select sum(octet_length(s.content)) from council_responses s
                join council_runs r on r.id = s.run_id where r.user_id = ${userId}), 0)
    + coalesce((select sum(b.size) from attachment_blobs b where b.user_id = ${userId}), 0) as bytes`.execute(db);
  return Number(rows[0]?.bytes ?? 0);
}

/** A reservation older than this belongs to an import whose host died; it is no longer counted. */
const RESERVATION_TTL_MS = 60 * 60 * 1000;

const reservationKey = (userId: string) => `import-reserved:${userId}`;

/**
 * Reserves `bytes` of the user's storage for an import being written, if what they store, what
 * their other imports in flight reserved and this fit under `maxBytes`. Decided under a row lock
 * on the user's reservation counter (kept in `rate_limits`, in KiB), so parallel imports are
 * decided one after the other and cannot together pass the cap. Returns what they store when refused.
 */
export async function reserveStorage(
  db: Db,
  userId: string,
  bytes: number,
  maxBytes: number,
  now: Date,
): Promise<{ isReserved: true } | { isReserved: false; usedBytes: number }> {
  const key = reservationKey(userId);
  return db.transaction().execute(async (trx) => {
    await trx
      .insertInto('rateLimits')
      .values({ key, windowStart: now, count: 0 })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    const row = await trx
      .selectFrom('rateLimits')
      .select(['count', 'windowStart'])
      .where('key', '=', key)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const reservedKib = now.getTime() - row.windowStart.getTime() < RESERVATION_TTL_MS ? row.count : 0;
    const usedBytes = await measureStoredBytes(trx, userId);
    if (usedBytes + reservedKib * 1024 + bytes > maxBytes) return { isReserved: false, usedBytes };
    await trx
      .updateTable('rateLimits')
      .set({ count: reservedKib + Math.ceil(bytes / 1024), windowStart: now })
      .where('key', '=', key)
      .execute();
    return { isReserved: true };
  });
}

/** Gives back a reservation once its import is written (or failed). */
export async function releaseStorage(db: Db, userId: string, bytes: number): Promise<void> {
  await db
    .updateTable('rateLimits')
    .set({ count: sql<number>`greatest(count - ${Math.ceil(bytes / 1024)}::integer, 0)` })
    .where('key', '=', reservationKey(userId))
    .execute();
}
