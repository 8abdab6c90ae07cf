import { sql, type Kysely } from 'kysely';
import type { CouncilEvent } from '@llm-council/council';
import type { Database } from '@llm-council/db';

type Db = Kysely<Database>;

export interface StoredEvent {
  runId: string;
  seq: number;
  at: Date;
  event: CouncilEvent;
}

/** Appends with an explicit sequence number (the run's single writer keeps the counter). */
export async function insertEvent(db: Db, runId: string, seq: number, event: CouncilEvent): Promise<Date> {
  const row = await db
    .insertInto('councilEvents')
    .values({ runId, seq, type: event.type, payload: JSON.stringify(event) })
    .returning('createdAt')
    .executeTakeFirstOrThrow();
  return row.createdAt;
}

/** Appends at the next free number; for writers that are not the run's executor (the sweeper). */
export async function appendEvent(db: Db, runId: string, event: CouncilEvent): Promise<number> {
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
    .returning('seq')
    .executeTakeFirstOrThrow();
  return row.seq;
}

export async function findLastSeq(db: Db, runId: string): Promise<number> {
  const row = await db
    .selectFrom('councilEvents')
    .select(sql<number>`coalesce(max(seq), 0)::int`.as('last'))
    .where('runId', '=', runId)
    .executeTakeFirstOrThrow();
  return Number(row.last);
}

export async function listEventsAfter(db: Db, runId: string, afterSeq: number, limit = 500): Promise<StoredEvent[]> {
  const rows = await db
    .selectFrom('councilEvents')
    .select(['runId', 'seq', 'createdAt', 'payload'])
    .where('runId', '=', runId)
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ runId: r.runId, seq: r.seq, at: r.createdAt, event: r.payload as CouncilEvent }));
}
