import { sql, type Kysely } from 'kysely';
import type { Database } from '@llm-council/db';

type Db = Kysely<Database>;

export interface UsageRow {
  key: string;
  promptTokens: number;
  completionTokens: number;
  /** USD; null when no call in the group reported a cost. */
  cost: number | null;
}

// What was spent is read from the spend ledger (one row per paid call, migration 0010): calls of
// deleted conversations stay in it with no run, imported conversations never enter it.
const promptTokens = sql<number>`coalesce(sum(l.prompt_tokens), 0)::float8`;
const completionTokens = sql<number>`coalesce(sum(l.completion_tokens), 0)::float8`;
const cost = sql<number | null>`sum(l.cost)::float8`;

/** The owner's tokens and cost per UTC day or per model, over the calls paid in [from, to). */
export async function summarizeUsage(
  db: Db,
  userId: string,
  range: { from: Date; to: Date },
  groupBy: 'day' | 'model',
): Promise<UsageRow[]> {
  const key =
    groupBy === 'day' ? sql<string>`to_char(l.created_at at time zone 'UTC', 'YYYY-MM-DD')` : sql<string>`l.model`;
  const rows = await db
    .selectFrom('spendLedger as l')
    .select([key.as('key'), promptTokens.as('promptTokens'), completionTokens.as('completionTokens'), cost.as('cost')])
    .where('l.userId', '=', userId)
    .where('l.createdAt', '>=', range.from)
    .where('l.createdAt', '<', range.to)
    .groupBy(key)
    .orderBy(key)
    .execute();
  return rows.map(normalize);
}

/** The owner's conversations that cost the most in [from, to), by cost then tokens. */
export async function listCostliestConversations(
  db: Db,
  userId: string,
  range: { from: Date; to: Date },
  limit: number,
): Promise<(UsageRow & { conversationId: string; title: string })[]> {
  const rows = await db
    .selectFrom('spendLedger as l')
    .innerJoin('councilRuns as r', 'r.id', 'l.runId')
    .innerJoin('conversations as c', 'c.id', 'r.conversationId')
    .select([
      'c.id as conversationId',
      'c.title',
      sql<string>`c.id`.as('key'),
      promptTokens.as('promptTokens'),
      completionTokens.as('completionTokens'),
      cost.as('cost'),
    ])
    .where('l.userId', '=', userId)
    .where('l.createdAt', '>=', range.from)
    .where('l.createdAt', '<', range.to)
    .groupBy(['c.id', 'c.title'])
    .orderBy(sql`sum(l.cost) desc nulls last`)
    .orderBy(sql`sum(l.prompt_tokens + l.completion_tokens) desc`)
    .orderBy('c.id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...normalize(r), conversationId: r.conversationId, title: r.title }));
}

/** What the owner spent in [from, to) in conversations since deleted (their ledger rows lost their run); null if nothing. */
export async function sumDeletedConversationsUsage(
  db: Db,
  userId: string,
  range: { from: Date; to: Date },
): Promise<Omit<UsageRow, 'key'> | null> {
  const row = await db
    .selectFrom('spendLedger as l')
    .select([
      sql<string>`'deleted'`.as('key'),
      promptTokens.as('promptTokens'),
      completionTokens.as('completionTokens'),
      cost.as('cost'),
      sql<number>`count(*)::int`.as('calls'),
    ])
    .where('l.userId', '=', userId)
    .where('l.runId', 'is', null)
    .where('l.createdAt', '>=', range.from)
    .where('l.createdAt', '<', range.to)
    .executeTakeFirstOrThrow();
  if (Number(row.calls) === 0) return null;
  const { key: _key, ...usage } = normalize(row);
  return usage;
}

/** Tokens and cost of one run, every call summed (answers, reviews and their repairs, chairman, title). */
export interface RunUsageTotal {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** USD; null when no call of the run reported a cost. */
  cost: number | null;
  /** Usage recorded where the conversation was run before it was imported: shown, never counted as spend here. */
  isImported: boolean;
}

/**
 * Each run's summed usage: from the ledger for runs made here, from the usage an imported file
 * recorded for imported ones. A run none of whose calls reported usage is absent from the map.
 */
export async function sumUsageOfRuns(db: Db, runIds: string[]): Promise<Map<string, RunUsageTotal>> {
  if (runIds.length === 0) return new Map();
  const spent = await db
    .selectFrom('spendLedger as l')
    .select([
      'l.runId as runId',
      promptTokens.as('promptTokens'),
      completionTokens.as('completionTokens'),
      cost.as('cost'),
    ])
    .where('l.runId', 'in', runIds)
    .groupBy('l.runId')
    .execute();
  const imported = await db
    .selectFrom('councilResponses as s')
    .innerJoin('councilRuns as r', 'r.id', 's.runId')
    .innerJoin('conversations as c', 'c.id', 'r.conversationId')
    .select([
      's.runId as runId',
      sql<number>`coalesce(sum((s.usage->>'promptTokens')::bigint), 0)::float8`.as('promptTokens'),
      sql<number>`coalesce(sum((s.usage->>'completionTokens')::bigint), 0)::float8`.as('completionTokens'),
      sql<number | null>`sum((s.usage->>'cost')::float8)`.as('cost'),
    ])
    .where('s.runId', 'in', runIds)
    .where('s.usage', 'is not', null)
    .where('c.importedAt', 'is not', null)
    .groupBy('s.runId')
    .execute();
  const total = (row: (typeof spent)[number], isImported: boolean): [string, RunUsageTotal] => {
    const { promptTokens: prompt, completionTokens: completion, cost: usd } = normalize({ key: '', ...row });
    return [
      row.runId ?? '',
      { promptTokens: prompt, completionTokens: completion, totalTokens: prompt + completion, cost: usd, isImported },
    ];
  };
  return new Map([...spent.map((row) => total(row, false)), ...imported.map((row) => total(row, true))]);
}

function normalize(row: UsageRow): UsageRow {
  return {
    key: row.key,
    promptTokens: Number(row.promptTokens),
    completionTokens: Number(row.completionTokens),
    cost: row.cost === null ? null : Number(row.cost),
  };
}
