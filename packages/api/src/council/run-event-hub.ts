import type { CouncilEventEnvelope } from '@llm-council/council';
import type { Database, Notifications } from '@llm-council/db';
import { sql, type Kysely } from 'kysely';
import type { Logger } from '../ports.js';
import { groupBy } from '../shared/group-by.js';
import { listEventsAfter } from './council-events.repository.js';
import { EventWriter, type PendingEvent } from './event-writer.js';
import { RunLog } from './run-log.js';

const EVENTS_CHANNEL = 'llmc_run_events';
const CANCEL_CHANNEL = 'llmc_run_cancel';

/** Asks whichever host executes the run to stop it (PostgreSQL; a CLI uses this with no hub of its own). */
export async function announceRunCancel(db: Kysely<Database>, runId: string): Promise<void> {
  await sql`select pg_notify(${CANCEL_CHANNEL}, ${runId})`.execute(db);
}
/** NOTIFY refuses payloads of 8,000 bytes or more; leave room for the envelope of the message. */
const MAX_PAYLOAD_BYTES = 7_800;
/** How long a log nobody holds stays in memory, for a subscriber that reconnects at once. */
const LINGER_MS = 5_000;

export interface RunEventHubOptions {
  db: Kysely<Database>;
  /** PostgreSQL LISTEN/NOTIFY when several hosts share the database; null on the embedded one. */
  notifications: Notifications | null;
  hostId: string;
  logger: Logger;
  flushIntervalMs: () => number;
  writeRetryWindowMs: number;
}

/**
 * Notification payload: the batch's events of each run when they fit (`e`), else just the
 * range (`from`/`to`), which the receiving host reads from the log once for all its subscribers.
 */
interface BatchMessage {
  host: string;
  runs: ({ run: string; e: CouncilEventEnvelope[] } | { run: string; from: number; to: number })[];
}

/**
 * The run events of this host: the group-commit writer, one in-memory log per run that somebody
 * here follows, and the links between hosts (a batch notification per stored batch, and cancel
 * requests). Subscribers and executors meet here; see docs/decisions/0005.
 */
export class RunEventHub {
  readonly writer: EventWriter;
  private readonly logs = new Map<string, RunLog>();
  private readonly lingering = new Map<string, NodeJS.Timeout>();
  private readonly cancelListeners = new Set<(runId: string) => void>();
  private readonly stopListening: (() => void)[] = [];
  /** Subscriptions open on this host (a graceful shutdown lets them deliver their last events). */
  subscribers = 0;

  constructor(private readonly options: RunEventHubOptions) {
    this.writer = new EventWriter({
      db: options.db,
      logger: options.logger,
      flushIntervalMs: options.flushIntervalMs,
      retryWindowMs: options.writeRetryWindowMs,
      notify: options.notifications ? (envelopes) => this.batchNotification(envelopes) : null,
      onStored: (envelopes) => this.deliver(envelopes),
    });
  }

  /** Listens to the other hosts (PostgreSQL); after a lost connection, every log here catches up. */
  async start(): Promise<void> {
    const { notifications } = this.options;
    if (!notifications) return;
    this.stopListening.push(
      await notifications.listen(EVENTS_CHANNEL, (payload) => this.receiveBatch(payload)),
      await notifications.listen(CANCEL_CHANNEL, (runId) => this.emitCancel(runId)),
      notifications.onReconnect(() => {
        this.options.logger.warn({ runs: this.logs.size }, 'notifications reconnected; catching up run logs');
        for (const log of this.logs.values()) if (!log.hasWriter) void log.catchUp();
      }),
    );
  }

  /** Run logs held in memory now (the soak benchmark watches it). */
  get liveLogs(): number {
    return this.logs.size;
  }

  /** Queues an event of a run this host executes (see EventWriter.append). */
  append(event: PendingEvent): Promise<void> {
    return this.writer.append(event);
  }

  /**
   * Takes hold of a run's log, creating it if needed. A subscriber's log starts empty and reads
   * the run's stored events; the executor's starts at `floor` (what earlier attempts stored).
   * Every `hold` needs a `release`.
   */
  hold(runId: string, as: { writerFloor?: number } = {}): RunLog {
    clearTimeout(this.lingering.get(runId));
    this.lingering.delete(runId);
    let log = this.logs.get(runId);
    if (!log) {
      log = new RunLog(
        runId,
        as.writerFloor ?? 0,
        (afterSeq, limit) => listEventsAfter(this.options.db, runId, afterSeq, limit),
        (error) => this.options.logger.warn({ err: error, runId }, 'reading run events failed'),
      );
      this.logs.set(runId, log);
      if (as.writerFloor === undefined) void log.catchUp();
    }
    if (as.writerFloor !== undefined) {
      log.hasWriter = true;
      if (log.last < as.writerFloor) void log.catchUp();
    }
    log.holders += 1;
    if (as.writerFloor === undefined) this.subscribers += 1;
    return log;
  }

  release(log: RunLog, as: { isWriter?: boolean } = {}): void {
    if (as.isWriter) {
      log.hasWriter = false;
      this.writer.forget(log.runId);
    } else {
      this.subscribers -= 1;
    }
    log.holders -= 1;
    if (log.holders > 0) return;
    const timer = setTimeout(() => {
      this.lingering.delete(log.runId);
      if (log.holders === 0 && this.logs.get(log.runId) === log) this.logs.delete(log.runId);
    }, LINGER_MS);
    timer.unref();
    this.lingering.set(log.runId, timer);
  }

  /** Hands events stored outside the writer (the sweeper's `run_interrupted`) to subscribers everywhere. */
  async publishStored(envelope: CouncilEventEnvelope): Promise<void> {
    this.deliver([envelope]);
    const notify = this.options.notifications ? this.batchNotification([envelope]) : null;
    for (const payload of notify?.payloads ?? []) {
      await sql`select pg_notify(${EVENTS_CHANNEL}, ${payload})`.execute(this.options.db);
    }
  }

  async requestCancel(runId: string): Promise<void> {
    this.emitCancel(runId);
    if (this.options.notifications) await announceRunCancel(this.options.db, runId);
  }

  onCancelRequested(listener: (runId: string) => void): () => void {
    this.cancelListeners.add(listener);
    return () => this.cancelListeners.delete(listener);
  }

  /** Stores what is queued and stops listening. */
  async close(): Promise<void> {
    await this.writer.close();
    for (const stop of this.stopListening) stop();
    for (const timer of this.lingering.values()) clearTimeout(timer);
  }

  private deliver(envelopes: readonly CouncilEventEnvelope[]): void {
    for (const [runId, ofRun] of groupByRun(envelopes)) {
      const log = this.logs.get(runId);
      if (log && !log.append(ofRun)) void log.catchUp();
    }
  }

  private batchNotification(envelopes: readonly CouncilEventEnvelope[]): { channel: string; payloads: string[] } {
    const payloads: string[] = [];
    let runs: BatchMessage['runs'] = [];
    let size = 0;
    const flush = () => {
      if (runs.length > 0) payloads.push(JSON.stringify({ host: this.options.hostId, runs } satisfies BatchMessage));
      runs = [];
      size = 0;
    };
    for (const [runId, ofRun] of groupByRun(envelopes)) {
      let item: BatchMessage['runs'][number] = { run: runId, e: ofRun };
      let bytes = Buffer.byteLength(JSON.stringify(item));
      if (bytes > MAX_PAYLOAD_BYTES) {
        item = { run: runId, from: ofRun[0]?.seq ?? 0, to: ofRun.at(-1)?.seq ?? 0 };
        bytes = Buffer.byteLength(JSON.stringify(item));
      }
      if (size + bytes > MAX_PAYLOAD_BYTES) flush();
      runs.push(item);
      size += bytes + 1;
    }
    flush();
    return { channel: EVENTS_CHANNEL, payloads };
  }

  private receiveBatch(payload: string): void {
    let message: BatchMessage;
    try {
      message = JSON.parse(payload) as BatchMessage;
    } catch (error) {
      this.options.logger.warn({ err: error }, 'unreadable run event notification');
      return;
    }
    if (message.host === this.options.hostId) return; // delivered here when it was stored
    for (const item of message.runs) {
      const log = this.logs.get(item.run);
      if (!log) continue; // nobody here follows that run
      if ('e' in item ? !log.append(item.e) : log.last < item.to) void log.catchUp();
    }
  }

  private emitCancel(runId: string): void {
    for (const listener of this.cancelListeners) listener(runId);
  }
}

function groupByRun(envelopes: readonly CouncilEventEnvelope[]): Map<string, CouncilEventEnvelope[]> {
  return groupBy(envelopes, (envelope) => envelope.runId);
}
