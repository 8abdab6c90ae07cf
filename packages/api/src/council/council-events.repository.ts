import { sql, type Kysely, type Transaction } from 'kysely';
import type { CouncilEvent, CouncilEventEnvelope } from '@llm-council/council';
import type { Database } from '@llm-council/db';

type Db = Kysely<Database>;

/**
 * Appends many events, of any runs, in one statement (group commit), and on PostgreSQL sends the
 * given notifications from the same statement, so they go out exactly when the rows commit. The
 * rows travel as one JSON document: one statement text whatever the batch size, on both engines.
 */
export async function insertEvents(
  db: Db | Transaction<Database>,
  envelopes: readonly CouncilEventEnvelope[],
  notify: readonly { channel: string; payload: string }[] | null,
): Promise<void> {
  const rows = JSON.stringify(
    envelopes.map((e) => ({ run_id: e.runId, seq: e.seq, type: e.event.type, payload: e.event, created_at: e.at })),
  );
  const insert = sql`insert into council_events (run_id, seq, type, payload, created_at)
    select r.run_id, r.seq, r.type, r.payload, r.created_at
    from jsonb_to_recordset(${rows}::jsonb) as r(run_id uuid, seq int, type text, payload jsonb, created_at timestamptz)`;
  if (!notify || notify.length === 0) {
    await insert.execute(db);
    return;
  }
  // A data-modifying CTE runs whether or not the outer query reads it.
  await sql`with inserted as (${insert} returning 1)
    select pg_notify(n.channel, n.payload)
    from jsonb_to_recordset(${JSON.stringify(notify)}::jsonb) as n(channel text, payload text)`.execute(db);
}

/** Whether an event is stored (a batch is one transaction: one of its events stands for all). */
export async function hasEvent(db: Db, runId: string, seq: number): Promise<boolean> {
  const row = await db
    .selectFrom('councilEvents')
    .select('seq')
    .where('runId', '=', runId)
    .where('seq', '=', seq)
    .executeTakeFirst();
  return row !== undefined;
}

/** Appends at the next free number; for writers that are not the run's executor (the sweeper). */
export async function appendEvent(db: Db, runId: string, event: CouncilEvent): Promise<CouncilEventEnvelope> {
  const row = await db
    .insertInto('councilEvents')
    .columns(['runId', 'seq', 'type', 'payload'])
    .expression((eb) =>
      eb
        .selectFrom('councilEvents')
        .select([
          sql<string>`${runId}::uuid`.as('runId'),
          sql<number>`coalesce(max(seq), 0) + 1`.as('seq'),
          sql<string>`${event.type}`.as('type'),
          sql<string>`${JSON.stringify(event)}::jsonb`.as('payload'),
        ])
        .where('runId', '=', runId),
    )
    .returning(['seq', 'createdAt'])
    .executeTakeFirstOrThrow();
  return { runId, seq: row.seq, at: row.createdAt.toISOString(), event };
}

export async function findLastSeq(db: Db, runId: string): Promise<number> {
  const row = await db
    .selectFrom('councilEvents')
    .select(sql<number>`coalesce(max(seq), 0)::int`.as('last'))
    .where('runId', '=', runId)
    .executeTakeFirstOrThrow();
  return Number(row.last);
}

export async function listEventsAfter(
  db: Db,
  runId: string,
  afterSeq: number,
  limit = 500,
): Promise<CouncilEventEnvelope[]> {
  const rows = await db
    .selectFrom('councilEvents')
    .select(['seq', 'createdAt', 'payload'])
    .where('runId', '=', runId)
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ runId, seq: r.seq, at: r.createdAt.toISOString(), event: r.payload as CouncilEvent }));
}
