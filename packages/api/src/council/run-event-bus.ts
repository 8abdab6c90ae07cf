import { sql, type Kysely } from 'kysely';
import type { Database, ListenFn } from '@llm-council/db';

/**
 * Tells subscribers that a run has new events, and executors that a run should stop. Payloads
 * are tiny (`<runId>:<seq>`); subscribers read the rows themselves, so NOTIFY's 8,000-byte limit
 * never matters. Delivery may repeat: listeners must be idempotent.
 */
export interface RunEventBus {
  publish(runId: string, seq: number): Promise<void>;
  subscribe(runId: string, listener: (seq: number) => void): () => void;
  requestCancel(runId: string): Promise<void>;
  onCancelRequested(listener: (runId: string) => void): () => void;
  close(): Promise<void>;
}

const EVENTS_CHANNEL = 'llmc_run_events';
const CANCEL_CHANNEL = 'llmc_run_cancel';

class Listeners<T> {
  private readonly byKey = new Map<string, Set<(value: T) => void>>();

  add(key: string, listener: (value: T) => void): () => void {
    let set = this.byKey.get(key);
    if (!set) this.byKey.set(key, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.byKey.delete(key);
    };
  }

  emit(key: string, value: T): void {
    for (const listener of this.byKey.get(key) ?? []) listener(value);
  }
}

/**
 * Builds the bus: in-process only on PGlite (one process owns the database), plus Postgres
 * LISTEN/NOTIFY when several hosts share a server.
 */
export async function createRunEventBus(db: Kysely<Database>, listen: ListenFn | null): Promise<RunEventBus> {
  const events = new Listeners<number>();
  const cancels = new Listeners<string>();
  const unlisten: (() => Promise<void>)[] = [];

  if (listen) {
    unlisten.push(
      await listen(EVENTS_CHANNEL, (payload) => {
        const [runId, seq] = payload.split(':');
        if (runId && seq) events.emit(runId, Number(seq));
      }),
      await listen(CANCEL_CHANNEL, (runId) => cancels.emit('*', runId)),
    );
  }

  const notify = async (channel: string, payload: string) => {
    await sql`select pg_notify(${channel}, ${payload})`.execute(db);
  };

  return {
    async publish(runId, seq) {
      events.emit(runId, seq); // local subscribers at once; remote ones through NOTIFY
      if (listen) await notify(EVENTS_CHANNEL, `${runId}:${seq}`);
    },
    subscribe: (runId, listener) => events.add(runId, listener),
    async requestCancel(runId) {
      cancels.emit('*', runId);
      if (listen) await notify(CANCEL_CHANNEL, runId);
    },
    onCancelRequested: (listener) => cancels.add('*', listener),
    async close() {
      await Promise.all(unlisten.map((stop) => stop()));
    },
  };
}
