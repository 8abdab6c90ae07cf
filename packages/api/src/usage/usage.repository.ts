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

// Usage is a jsonb per call (`{ promptTokens, completionTokens, totalTokens, cost }`), stored as
// the run recorded it; a call without usage (failed, or an old upstream) counts as nothing.
const promptTokens = sql<number>`coalesce(sum((s.usage->>'promptTokens')::bigint), 0)::float8`;
const completionTokens = sql<number>`coalesce(sum((s.usage->>'completionTokens')::bigint), 0)::float8`;
const cost = sql<number | null>`sum((s.usage->>'cost')::float8)`;

/**
 * The owner's tokens and cost per UTC day or per model, over the calls of runs started in
 * [from, to). Runs are scoped by their own user_id (indexed with the run's status).
 */
export async function summarizeUsage(
  db: Db,
  userId: string,
  range: { from: Date; to: Date },
  groupBy: 'day' | 'model',
): Promise<UsageRow[]> {
  const key =
    groupBy === 'day' ? sql<string>`to_char(r.created_at at time zone 'UTC', 'YYYY-MM-DD')` : sql<string>`s.model`;
  const rows = await db
    .selectFrom('councilResponses as s')
    .innerJoin('councilRuns as r', 'r.id', 's.runId')
    .select([key.as('key'), promptTokens.as('promptTokens'), completionTokens.as('completionTokens'), cost.as('cost')])
    .where('r.userId', '=', userId)
    .where('r.createdAt', '>=', range.from)
    .where('r.createdAt', '<', range.to)
    .where('s.usage', 'is not', null)
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
    .selectFrom('councilResponses as s')
    .innerJoin('councilRuns as r', 'r.id', 's.runId')
    .innerJoin('conversations as c', 'c.id', 'r.conversationId')
    .select([
      'c.id as conversationId',
      'c.title',
      sql<string>`c.id`.as('key'),
      promptTokens.as('promptTokens'),
      completionTokens.as('completionTokens'),
      cost.as('cost'),
    ])
    .where('r.userId', '=', userId)
    .where('r.createdAt', '>=', range.from)
    .where('r.createdAt', '<', range.to)
    .where('s.usage', 'is not', null)
    .groupBy(['c.id', 'c.title'])
    .orderBy(sql`sum((s.usage->>'cost')::float8) desc nulls last`)
    .orderBy(sql`sum((s.usage->>'totalTokens')::bigint) desc`)
    .orderBy('c.id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...normalize(r), conversationId: r.conversationId, title: r.title }));
}

/** Tokens and cost of one run, every call summed (answers, reviews and their repairs, chairman, title). */
export interface RunUsageTotal {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** USD; null when no call of the run reported a cost. */
  cost: number | null;
}

/** Each run's summed usage; a run none of whose calls reported usage is absent from the map. */
export async function sumUsageOfRuns(db: Db, runIds: string[]): Promise<Map<string, RunUsageTotal>> {
  if (runIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('councilResponses as s')
    .select(['s.runId', promptTokens.as('promptTokens'), completionTokens.as('completionTokens'), cost.as('cost')])
    .where('s.runId', 'in', runIds)
    .where('s.usage', 'is not', null)
    .groupBy('s.runId')
    .execute();
  return new Map(
    rows.map((row) => {
      const { promptTokens: prompt, completionTokens: completion, cost: usd } = normalize({ key: row.runId, ...row });
      return [
        row.runId,
        { promptTokens: prompt, completionTokens: completion, totalTokens: prompt + completion, cost: usd },
      ];
    }),
  );
}

function normalize(row: UsageRow): UsageRow {
  return {
    key: row.key,
    promptTokens: Number(row.promptTokens),
    completionTokens: Number(row.completionTokens),
    cost: row.cost === null ? null : Number(row.cost),
  };
}
