import type { Usage } from '@llm-council/council';
import type { Database } from '@llm-council/db';
import { sql, type Kysely } from 'kysely';
import type { KeySource } from './spend.repository.js';

type Db = Kysely<Database>;

export interface LedgerEntry {
  userId: string;
  runId: string;
  keySource: KeySource;
  provider: string;
  model: string;
  stage: 'stage1' | 'stage2' | 'stage3' | 'title';
  usage: Usage;
}

/** Records one paid call; the ledger is append-only (see migration 0010). */
export async function insertLedgerEntry(db: Db, entry: LedgerEntry): Promise<void> {
  await db
    .insertInto('spendLedger')
    .values({
      userId: entry.userId,
      runId: entry.runId,
      keySource: entry.keySource,
      provider: entry.provider,
      model: entry.model,
      stage: entry.stage,
      promptTokens: entry.usage.promptTokens,
      completionTokens: entry.usage.completionTokens,
      reasoningTokens: entry.usage.reasoningTokens ?? 0,
      cost: entry.usage.cost,
    })
    .execute();
}

/** What the user spent on one kind of key since `since` — deleted conversations included. */
export async function sumSpendSince(
  db: Db,
  userId: string,
  keySource: KeySource,
  since: Date,
): Promise<{ tokens: number; usd: number }> {
  const row = await db
    .selectFrom('spendLedger')
    .select([
      sql<number>`coalesce(sum(prompt_tokens + completion_tokens), 0)::float8`.as('tokens'),
      sql<number>`coalesce(sum(cost), 0)::float8`.as('usd'),
    ])
    .where('userId', '=', userId)
    .where('keySource', '=', keySource)
    .where('createdAt', '>=', since)
    .executeTakeFirstOrThrow();
  return { tokens: Number(row.tokens), usd: Number(row.usd) };
}

/** Tokens each run has spent so far (runs without a row are absent). */
export async function sumSpendOfRuns(db: Db, runIds: string[]): Promise<Map<string, number>> {
  if (runIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('spendLedger')
    .select(['runId', sql<number>`sum(prompt_tokens + completion_tokens)::float8`.as('tokens')])
    .where('runId', 'in', runIds)
    .groupBy('runId')
    .execute();
  return new Map(rows.flatMap((r) => (r.runId === null ? [] : [[r.runId, Number(r.tokens)] as const])));
}
