import type { CouncilEventEnvelope } from '@llm-council/council';
import { isConnectionError, type Database } from '@llm-council/db';
import type { Kysely, Transaction } from 'kysely';
import type { Logger } from '../ports.js';
import { groupBy } from '../shared/group-by.js';
import { hasEvent, insertEvents } from './council-events.repository.js';

/** What a stored event does to the readable tables (answers, reviews, status), inside its batch's transaction. */
export type TableEffect = (trx: Transaction<Database>) => Promise<void>;

export interface PendingEvent {
  envelope: CouncilEventEnvelope;
  effect: TableEffect | null;
  /** Write this batch now: the caller waits (a structural event), or the user should see it at once. */
  isUrgent: boolean;
}

export interface EventWriterOptions {
  db: Kysely<Database>;
  logger: Logger;
  /** Pause before a batch that only carries deltas, so that it carries many (re-read every batch). */
  flushIntervalMs: () => number;
  /** How long a batch keeps retrying while the database cannot be reached. */
  retryWindowMs: number;
  /** Notifications for other hosts, sent by the statement that stores the batch (null: one host). */
  notify: ((envelopes: readonly CouncilEventEnvelope[]) => readonly { channel: string; payload: string }[]) | null;
  /** Called once a batch is durable, in order; the hub hands the events to subscribers here. */
  onStored: (envelopes: readonly CouncilEventEnvelope[]) => void;
  /** Rows per statement at most. */
  maxBatchSize?: number;
}

interface Entry extends PendingEvent {
  settle: { resolve: () => void; reject: (error: unknown) => void };
}

/**
 * Group commit for the event log of every run on this host. Events queue here; one writer stores
 * them in batches — one INSERT (and one notification) for everything queued, of all runs — and
 * only then are they delivered to subscribers, so a subscriber never sees an event that a crash
 * could take back. A structural event (an answer completed, a review, a terminal event) is
 * written at once with its table effects in the same transaction, and its caller waits for it;
 * deltas wait at most one flush interval and their callers do not wait.
 *
 * A batch that fails because the database is unreachable is retried with backoff for
 * `retryWindowMs`, checking first whether the failed attempt in fact committed; any other
 * failure is retried run by run, so one run's bad event cannot fail another run's batch. A run
 * whose events could not be stored is failed for good: later events of it are refused.
 */
export class EventWriter {
  private queue: Entry[] = [];
  private readonly failedRuns = new Map<string, Error>();
  /** The batch being written, if any: one at a time, so a run's events commit in order. */
  private writing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private isClosed = false;
  /** Statements and batches written, for the benchmark. */
  readonly stats = { batches: 0, events: 0, retries: 0 };

  constructor(private readonly options: EventWriterOptions) {}

  get queuedEvents(): number {
    return this.queue.length;
  }

  /** Queues an event; resolves once it is stored (rejects if it never will be). */
  append(event: PendingEvent): Promise<void> {
    const failure = this.failedRuns.get(event.envelope.runId);
    if (failure !== undefined) return Promise.reject(failure);
    if (this.isClosed) return Promise.reject(new Error('the event writer is closed'));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ ...event, settle: { resolve, reject } });
      this.schedule(event.isUrgent ? 0 : this.options.flushIntervalMs());
    });
  }

  /** Forgets a finished run's failure (its log is closed by then). */
  forget(runId: string): void {
    this.failedRuns.delete(runId);
  }

  /** Writes what is queued, then refuses new events. */
  async close(): Promise<void> {
    this.isClosed = true;
    clearTimeout(this.timer);
    while (this.writing || this.queue.length > 0) await (this.writing ?? this.writeQueued());
  }

  private schedule(delayMs: number): void {
    if (this.writing) return; // the batch in flight schedules the next one when it ends
    if (delayMs === 0) {
      clearTimeout(this.timer);
      this.timer = undefined;
      queueMicrotask(() => void this.writeQueued());
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.writeQueued();
    }, delayMs);
  }

  private writeQueued(): Promise<void> {
    if (this.writing || this.queue.length === 0) return this.writing ?? Promise.resolve();
    const max = this.options.maxBatchSize ?? 2_000;
    const batch = this.queue.slice(0, max);
    this.queue = this.queue.slice(batch.length);
    this.writing = this.writeBatch(batch).finally(() => {
      this.writing = undefined;
      if (this.queue.length > 0) {
        this.schedule(this.queue.some((entry) => entry.isUrgent) ? 0 : this.options.flushIntervalMs());
      }
    });
    return this.writing;
  }

  private async writeBatch(batch: Entry[]): Promise<void> {
    const live = batch.filter((entry) => {
      const failure = this.failedRuns.get(entry.envelope.runId);
      if (failure !== undefined) entry.settle.reject(failure);
      return failure === undefined;
    });
    if (live.length === 0) return;
    try {
      await this.storeWithRetry(live);
    } catch (error) {
      const runs = groupByRun(live);
      if (isConnectionError(error) || runs.size === 1) {
        this.fail(live, error);
        return;
      }
      // Not the database's fault: find the run whose event it is, and keep the others going.
      for (const entries of runs.values()) {
        try {
          await this.storeWithRetry(entries);
          this.delivered(entries);
        } catch (inner) {
          this.fail(entries, inner);
        }
      }
      return;
    }
    this.delivered(live);
  }

  private async storeWithRetry(entries: Entry[]): Promise<void> {
    const giveUpAt = Date.now() + this.options.retryWindowMs;
    let delayMs = 100;
    let isFirstTry = true;
    for (;;) {
      try {
        // After a failure in mid-commit the batch may have landed; one event tells (it is one transaction).
        const first = entries[0]?.envelope;
        if (!isFirstTry && first && (await hasEvent(this.options.db, first.runId, first.seq))) return;
        await this.store(entries);
        return;
      } catch (error) {
        if (!isConnectionError(error) || Date.now() + delayMs > giveUpAt) throw error;
        this.stats.retries += 1;
        this.options.logger.warn({ err: error, retryInMs: delayMs }, 'storing run events failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        delayMs = Math.min(delayMs * 2, 2_000);
        isFirstTry = false;
      }
    }
  }

  private async store(entries: Entry[]): Promise<void> {
    const envelopes = entries.map((entry) => entry.envelope);
    const notify = this.options.notify?.(envelopes) ?? null;
    const effects = entries.flatMap((entry) => (entry.effect ? [entry.effect] : []));
    if (effects.length === 0) {
      await insertEvents(this.options.db, envelopes, notify);
    } else {
      await this.options.db.transaction().execute(async (trx) => {
        await insertEvents(trx, envelopes, notify);
        for (const effect of effects) await effect(trx);
      });
    }
    this.stats.batches += 1;
    this.stats.events += envelopes.length;
  }

  private delivered(entries: Entry[]): void {
    this.options.onStored(entries.map((entry) => entry.envelope));
    for (const entry of entries) entry.settle.resolve();
  }

  private fail(entries: Entry[], cause: unknown): void {
    const error = cause instanceof Error ? cause : new Error('storing run events failed', { cause });
    for (const runId of groupByRun(entries).keys()) this.failedRuns.set(runId, error);
    for (const entry of entries) entry.settle.reject(error);
    // Events of these runs queued behind the failed batch can never be stored in order either.
    this.queue = this.queue.filter((entry) => {
      const failure = this.failedRuns.get(entry.envelope.runId);
      if (failure !== undefined) entry.settle.reject(failure);
      return failure === undefined;
    });
  }
}

function groupByRun(entries: Entry[]): Map<string, Entry[]> {
  return groupBy(entries, (entry) => entry.envelope.runId);
}
