import { sql, type Kysely, type Transaction } from 'kysely';
import type {
  CouncilMode,
  CouncilRun,
  Database,
  KeySource,
  ReasoningEffort,
  RunStatus as StoredRunStatus,
} from '@llm-council/db';
import { activeRunStatuses, retryableRunStatuses, type RunStatus } from '../constants.js';

type Db = Kysely<Database>;

// The column's type (db) and the shared list (constants) are written twice because the shared
// module may not import; this line stops compiling the day they differ.
const sameRunStatuses: [RunStatus, StoredRunStatus] extends [StoredRunStatus, RunStatus] ? true : never = true;
void sameRunStatuses;

export async function insertRun(
  db: Db,
  values: {
    userId: string;
    conversationId: string;
    userMessageId: string;
    clientRequestId: string | null;
    provider: string;
    models: string[];
    chairmanModel: string;
    titleModel: string | null;
    mode: CouncilMode;
    instructions: string | null;
    reasoningEffort: ReasoningEffort;
    webSearch: boolean;
    keySource: KeySource;
    /** What the run was admitted for (see `assertRunFitsDailyBudget`). */
    reservedTokens: number;
  },
): Promise<CouncilRun> {
  return db
    .insertInto('councilRuns')
    .values({
      ...values,
      models: JSON.stringify(values.models),
      status: 'queued',
      attempt: 1,
      // Alive from birth: a sweep on any host must not take a run that was just created for dead.
      heartbeatAt: new Date(),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * Serialises message appends within a conversation until the transaction ends. A message's
 * position is `max(position) + 1`, so two appends racing in one conversation (a question sent
 * while the previous run's answer is being stored, two tabs) would collide on the unique position.
 */
export async function lockConversation(trx: Transaction<Database>, conversationId: string): Promise<void> {
  // NO KEY UPDATE: appenders queue, foreign-key checks of rows referencing the conversation don't.
  await trx.selectFrom('conversations').select('id').where('id', '=', conversationId).forNoKeyUpdate().execute();
}

/** The run if — and only if — the user owns it. */
export async function findRunForUser(db: Db, userId: string, runId: string): Promise<CouncilRun | undefined> {
  return db
    .selectFrom('councilRuns')
    .selectAll()
    .where('id', '=', runId)
    .where('userId', '=', userId)
    .executeTakeFirst();
}

export async function findRun(db: Db, runId: string): Promise<CouncilRun | undefined> {
  return db.selectFrom('councilRuns').selectAll().where('id', '=', runId).executeTakeFirst();
}

export async function findRunByClientRequestId(
  db: Db,
  userId: string,
  clientRequestId: string,
): Promise<CouncilRun | undefined> {
  return db
    .selectFrom('councilRuns')
    .selectAll()
    .where('userId', '=', userId)
    .where('clientRequestId', '=', clientRequestId)
    .executeTakeFirst();
}

export async function countActiveRuns(db: Db, userId: string): Promise<number> {
  const row = await db
    .selectFrom('councilRuns')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('userId', '=', userId)
    .where('status', 'in', activeRunStatuses)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function listRunsOfConversation(db: Db, conversationId: string): Promise<CouncilRun[]> {
  return db
    .selectFrom('councilRuns')
    .selectAll()
    .where('conversationId', '=', conversationId)
    .orderBy('createdAt')
    .execute();
}

export async function listResponsesOfRuns(db: Db, runIds: string[]) {
  if (runIds.length === 0) return [];
  return db
    .selectFrom('councilResponses')
    .select([
      'runId',
      'stage',
      'model',
      'status',
      'content',
      'parsedRanking',
      'reviewDetails',
      'error',
      'usage',
      'sources',
      'reasoning',
      'durationMs',
      'attempt',
    ])
    .where('runId', 'in', runIds)
    .orderBy('createdAt')
    .execute();
}

export type RunUpdate = Partial<{
  status: RunStatus;
  attempt: number;
  host: string | null;
  labelToModel: Record<string, string> | null;
  aggregate: unknown[] | null;
  verdict: Record<string, unknown> | null;
  error: { code: string; message: string; stage?: string } | null;
  startedAt: Date;
  finishedAt: Date | null;
  heartbeatAt: Date;
}>;

export async function updateRun(db: Db, runId: string, update: RunUpdate): Promise<void> {
  const { labelToModel, aggregate, verdict, error, ...rest } = update;
  await db
    .updateTable('councilRuns')
    .set({
      ...rest,
      ...(labelToModel !== undefined
        ? { labelToModel: labelToModel === null ? null : JSON.stringify(labelToModel) }
        : {}),
      ...(aggregate !== undefined ? { aggregate: aggregate === null ? null : JSON.stringify(aggregate) } : {}),
      ...(verdict !== undefined ? { verdict: verdict === null ? null : JSON.stringify(verdict) } : {}),
      ...(error !== undefined ? { error: error === null ? null : JSON.stringify(error) } : {}),
      updatedAt: new Date(),
    })
    .where('id', '=', runId)
    .execute();
}

/** Records the host executing a run; false when the run is gone (deleted) or already over. */
export async function claimRunHost(db: Db, runId: string, hostId: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('councilRuns')
    .set({ host: hostId, heartbeatAt: now, updatedAt: now })
    .where('id', '=', runId)
    .where('status', 'in', activeRunStatuses)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function listActiveRunIdsOfConversation(db: Db, conversationId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('councilRuns')
    .select('id')
    .where('conversationId', '=', conversationId)
    .where('status', 'in', activeRunStatuses)
    .execute();
  return rows.map((row) => row.id);
}

/**
 * Serialises run starts of one user until the transaction ends, so "count the live runs, then
 * insert one" cannot be interleaved by a parallel start (a batch of ten against a limit of three).
 * `FOR NO KEY UPDATE`, not `FOR UPDATE`: lockers queue behind each other, but rows that merely
 * reference the user (a search entry written while a run is stored) are not blocked — with
 * `FOR UPDATE` their foreign-key check waited on this lock while we waited on their
 * conversation: a deadlock.
 */
export async function lockUserRuns(trx: Transaction<Database>, userId: string): Promise<void> {
  await trx.selectFrom('users').select('id').where('id', '=', userId).forNoKeyUpdate().execute();
}

/** Claims a finished run for another attempt; false when it is not in a retryable state (or raced). */
export async function claimRunForRetry(
  db: Db | Transaction<Database>,
  runId: string,
  host: string,
  now: Date,
  keySource: KeySource,
  reservedTokens: number,
): Promise<CouncilRun | undefined> {
  return db
    .updateTable('councilRuns')
    .set((eb) => ({
      keySource,
      reservedTokens,
      status: 'queued',
      attempt: eb('attempt', '+', 1),
      error: null,
      finishedAt: null,
      host,
      heartbeatAt: now,
      updatedAt: now,
    }))
    .where('id', '=', runId)
    .where('status', 'in', retryableRunStatuses)
    .returningAll()
    .executeTakeFirst();
}

export async function heartbeatRuns(db: Db, runIds: string[], now: Date): Promise<void> {
  if (runIds.length === 0) return;
  await db
    .updateTable('councilRuns')
    .set({ heartbeatAt: now })
    .where('id', 'in', runIds)
    .where('status', 'in', activeRunStatuses)
    .execute();
}

/**
 * Live runs nobody is executing any more (their host died): heartbeat older than the cutoff, or
 * every live run when `cutoff` is null (the embedded database has a single process).
 */
export async function claimAbandonedRuns(
  db: Db,
  cutoff: Date | null,
  now: Date,
  excludeIds: string[],
): Promise<string[]> {
  let query = db
    .updateTable('councilRuns')
    .set({ status: 'interrupted', finishedAt: now, updatedAt: now })
    .where('status', 'in', activeRunStatuses);
  if (excludeIds.length > 0) query = query.where('id', 'not in', excludeIds);
  if (cutoff) {
    query = query.where((eb) =>
      eb.or([eb('heartbeatAt', '<', cutoff), eb.and([eb('heartbeatAt', 'is', null), eb('createdAt', '<', cutoff)])]),
    );
  }
  const rows = await query.returning('id').execute();
  return rows.map((r) => r.id);
}

export async function upsertResponse(
  db: Db,
  values: {
    runId: string;
    stage: 'stage1' | 'stage2' | 'stage3' | 'title';
    model: string;
    status: 'completed' | 'failed';
    content: string | null;
    parsedRanking?: string[] | null;
    reviewDetails?: Record<string, unknown> | null;
    error?: { code: string; message: string } | null;
    usage?: Record<string, unknown> | null;
    /** Stage 1 with web search: the pages the answer cites. */
    sources?: { url: string; title: string | null }[] | null;
    /** What a reasoning model thought before it answered. */
    reasoning?: string | null;
    durationMs?: number | null;
    attempt: number;
  },
  /** `keepExisting`: leave a row already stored for this run, stage and model untouched. */
  options: { keepExisting?: boolean } = {},
): Promise<void> {
  const row = {
    runId: values.runId,
    stage: values.stage,
    model: values.model,
    status: values.status,
    content: values.content,
    parsedRanking: values.parsedRanking ? JSON.stringify(values.parsedRanking) : null,
    reviewDetails: values.reviewDetails ? JSON.stringify(values.reviewDetails) : null,
    error: values.error ? JSON.stringify(values.error) : null,
    usage: values.usage ? JSON.stringify(values.usage) : null,
    sources: values.sources?.length ? JSON.stringify(values.sources) : null,
    reasoning: values.reasoning || null,
    durationMs: values.durationMs ?? null,
    attempt: values.attempt,
  };
  const { runId: _r, stage: _s, model: _m, ...update } = row;
  await db
    .insertInto('councilResponses')
    .values(row)
    .onConflict((oc) => {
      const target = oc.columns(['runId', 'stage', 'model']);
      return options.keepExisting ? target.doNothing() : target.doUpdateSet(update);
    })
    .execute();
}

/** Drops a stage's results from earlier attempts (their labels no longer apply). */
/** A completed answer's text, e.g. the stage-1 answer that stands for a run without a chairman. */
export async function findCompletedContent(
  db: Db,
  runId: string,
  stage: 'stage1' | 'stage3',
  model: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('councilResponses')
    .select('content')
    .where('runId', '=', runId)
    .where('stage', '=', stage)
    .where('model', '=', model)
    .where('status', '=', 'completed')
    .executeTakeFirst();
  return row?.content ?? undefined;
}

export async function deleteStaleResponses(
  db: Db,
  runId: string,
  stage: 'stage2' | 'stage3',
  beforeAttempt: number,
): Promise<void> {
  await db
    .deleteFrom('councilResponses')
    .where('runId', '=', runId)
    .where('stage', '=', stage)
    .where('attempt', '<', beforeAttempt)
    .execute();
}
