import type { Database } from '@llm-council/db';
import { sql, type Kysely } from 'kysely';
import { activeRunStatuses } from '../constants.js';

type Db = Kysely<Database>;

/** Rate-limit counters whose window ended before `before`: the next hit starts a new window anyway. */
export async function deleteStaleRateLimits(db: Db, before: Date): Promise<number> {
  const result = await db.deleteFrom('rateLimits').where('windowStart', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * The streamed deltas (answers and thinking) of runs that finished before `before`. Their answers stay whole in the
 * readable tables and in each model's `model_completed` event, so the run still reloads and
 * replays; only the word-by-word history goes.
 */
export async function deleteOldDeltas(db: Db, before: Date): Promise<number> {
  const result = await db
    .deleteFrom('councilEvents')
    .where('type', 'in', ['model_delta', 'model_reasoning'])
    .where('runId', 'in', (eb) =>
      eb
        .selectFrom('councilRuns')
        .select('id')
        .where('finishedAt', '<', before)
        .where('status', 'not in', activeRunStatuses),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Security-log rows older than `before` (AUDIT_RETENTION_DAYS): the log cannot grow without bound. */
export async function deleteOldAuditEvents(db: Db, before: Date): Promise<number> {
  const result = await db.deleteFrom('auditEvents').where('createdAt', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Refresh-token families that ended more than a day ago: nothing can present them any more. */
export async function deleteExpiredRefreshTokens(db: Db, now: Date): Promise<number> {
  const result = await db
    .deleteFrom('refreshTokens')
    .where('expiresAt', '<', sql<Date>`${now}::timestamptz - interval '1 day'`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
