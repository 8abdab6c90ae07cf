import { sql, type Kysely } from 'kysely';
import type { Database } from '@llm-council/db';
import type { RateLimitRule } from '../config.js';

export type RateLimitResult = { allowed: true } | { allowed: false; retryAfterSeconds: number; count: number };

/**
 * Fixed-window counter in the database, so every host sharing one Postgres shares the limits.
 * One upsert counts the hit and returns the window, so concurrent hits cannot both slip through.
 */
export async function hitRateLimit(
  db: Kysely<Database>,
  key: string,
  rule: RateLimitRule,
  now: Date,
): Promise<RateLimitResult> {
  const windowStartFloor = new Date(now.getTime() - rule.windowSeconds * 1000);
  const row = await db
    .insertInto('rateLimits')
    .values({ key, windowStart: now, count: 1 })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        count: sql<number>`case when rate_limits.window_start <= ${windowStartFloor} then 1 else rate_limits.count + 1 end`,
        windowStart: sql<Date>`case when rate_limits.window_start <= ${windowStartFloor} then ${now}::timestamptz else rate_limits.window_start end`,
      }),
    )
    .returning(['count', 'windowStart'])
    .executeTakeFirstOrThrow();
  if (row.count <= rule.limit) return { allowed: true };
  return { allowed: false, retryAfterSeconds: secondsUntilWindowEnds(row.windowStart, rule, now), count: row.count };
}

/**
 * Adds `amount` to a fixed-window counter only while the window's total stays within the rule's
 * limit (bytes a day, not hits). The check is the upsert's own WHERE, so parallel takes cannot
 * together pass the limit; a refused take adds nothing.
 */
export async function takeFromRateLimit(
  db: Kysely<Database>,
  key: string,
  rule: RateLimitRule,
  amount: number,
  now: Date,
): Promise<RateLimitResult> {
  const windowStartFloor = new Date(now.getTime() - rule.windowSeconds * 1000);
  const isOver = sql<boolean>`rate_limits.window_start <= ${windowStartFloor}`;
  const next = sql<number>`case when ${isOver} then ${amount}::integer else rate_limits.count + ${amount}::integer end`;
  if (amount <= rule.limit) {
    const row = await db
      .insertInto('rateLimits')
      .values({ key, windowStart: now, count: amount })
      .onConflict((oc) =>
        oc
          .column('key')
          .doUpdateSet({
            count: next,
            windowStart: sql<Date>`case when ${isOver} then ${now}::timestamptz else rate_limits.window_start end`,
          })
          .where(next, '<=', rule.limit),
      )
      .returning(['count'])
      .executeTakeFirst();
    if (row) return { allowed: true };
  }
  const current = await db
    .selectFrom('rateLimits')
    .select(['count', 'windowStart'])
    .where('key', '=', key)
    .executeTakeFirst();
  return {
    allowed: false,
    retryAfterSeconds: current ? secondsUntilWindowEnds(current.windowStart, rule, now) : rule.windowSeconds,
    count: current?.count ?? 0,
  };
}

/**
 * Whether `key` has used up the rule's limit in its current window, without counting a hit: for
 * limits that count only failures but must refuse every attempt once reached.
 */
export async function peekRateLimit(
  db: Kysely<Database>,
  key: string,
  rule: RateLimitRule,
  now: Date,
): Promise<RateLimitResult> {
  const row = await db
    .selectFrom('rateLimits')
    .select(['count', 'windowStart'])
    .where('key', '=', key)
    .executeTakeFirst();
  const isCurrent = row && row.windowStart.getTime() > now.getTime() - rule.windowSeconds * 1000;
  if (!row || !isCurrent || row.count < rule.limit) return { allowed: true };
  return { allowed: false, retryAfterSeconds: secondsUntilWindowEnds(row.windowStart, rule, now), count: row.count };
}

export async function clearRateLimit(db: Kysely<Database>, key: string): Promise<void> {
  await db.deleteFrom('rateLimits').where('key', '=', key).execute();
}

function secondsUntilWindowEnds(windowStart: Date, rule: RateLimitRule, now: Date): number {
  const endsAt = windowStart.getTime() + rule.windowSeconds * 1000;
  return Math.max(1, Math.ceil((endsAt - now.getTime()) / 1000));
}
