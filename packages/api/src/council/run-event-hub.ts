import type { CouncilEventEnvelope } from '@llm-council/council';
import type { Database, Notifications } from '@llm-council/db';
import { sql, type Kysely } from 'kysely';
import type { Logger } from '../ports.js';
import { groupBy } from '../shared/group-by.js';
import { listEventsAfter } from './council-events.repository.js';
import { EventWriter, type PendingEvent } from './event-writer.js';
import { RunLog } from './run-log.js';

const CANCEL_CHANNEL = 'llmc_run_cancel';

/**
 * Each run's events go out on a channel of their own, so a host hears only the runs somebody
 * there follows (docs/decisions/0014): work per host grows with the runs it serves, not with
 * every host's. A run id is a UUID: 32 hex digits after the prefix stay under PostgreSQL's
 * 63-byte identifier limit.
 */
export function runEventsChannel(runId: string): string {
  return `llmc_run_${runId.replaceAll('-', '').toLowerCase()}`;
}

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
 * A run's notification: `<host id> <json>`, the json being the batch's events of the run when
 * they fit (`e`), else just the range (`from`/`to`), which the receiving host reads from the log
 * once for all its subscribers. The host id comes first so a host skips its own notifications
 * without parsing them.
 */
type RunMessage = { e: CouncilEventEnvelope[] } | { from: number; to: number };

export interface RunNotification {
  channel: string;
  payload: string;
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
  /** Runs whose channel this host listens to, with the way to stop (resolved once LISTEN is in place). */
  private readonly following = new Map<string, Promise<(() => void) | null>>();
  /** Subscriptions open on this host (a graceful shutdown lets them deliver their last events). */
  subscribers = 0;

  constructor(private readonly options: RunEventHubOptions) {
    this.writer = new EventWriter({
      db: options.db,
      logger: options.logger,
      flushIntervalMs: options.flushIntervalMs,
      retryWindowMs: options.writeRetryWindowMs,
      notify: options.notifications ? (envelopes) => this.runNotifications(envelopes) : null,
      onStored: (envelopes) => this.deliver(envelopes),
    });
  }

  /**
   * Listens for cancel requests from the other hosts (PostgreSQL); a run's events are listened to
   * only while somebody here follows it (`hold`). After a lost connection every log here catches up.
   */
  async start(): Promise<void> {
    const { notifications } = this.options;
    if (!notifications) return;
    this.stopListening.push(
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
      if (as.writerFloor === undefined) {
        void log.catchUp();
        this.follow(log);
      }
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
      // Subscribers here outlive this attempt: a retry may run on another host.
      if (log.holders > 1) this.follow(log);
    } else {
      this.subscribers -= 1;
    }
    log.holders -= 1;
    if (log.holders > 0) return;
    const timer = setTimeout(() => {
      this.lingering.delete(log.runId);
      if (log.holders === 0 && this.logs.get(log.runId) === log) {
        this.logs.delete(log.runId);
        this.unfollow(log.runId);
      }
    }, LINGER_MS);
    timer.unref();
    this.lingering.set(log.runId, timer);
  }

  /** Hands events stored outside the writer (the sweeper's `run_interrupted`) to subscribers everywhere. */
  async publishStored(envelope: CouncilEventEnvelope): Promise<void> {
    this.deliver([envelope]);
    if (!this.options.notifications) return;
    for (const { channel, payload } of this.runNotifications([envelope])) {
      await sql`select pg_notify(${channel}, ${payload})`.execute(this.options.db);
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
    for (const runId of [...this.following.keys()]) this.unfollow(runId);
    for (const timer of this.lingering.values()) clearTimeout(timer);
  }

  private deliver(envelopes: readonly CouncilEventEnvelope[]): void {
    for (const [runId, ofRun] of groupByRun(envelopes)) {
      const log = this.logs.get(runId);
      if (log && !log.append(ofRun)) void log.catchUp();
    }
  }

  /** LISTENs on the run's channel, then catches up on what was stored before LISTEN took effect. */
  private follow(log: RunLog): void {
    const { notifications, logger } = this.options;
    if (!notifications || this.following.has(log.runId)) return;
    const listening = notifications
      .listen(runEventsChannel(log.runId), (payload) => this.receive(log.runId, payload))
      .then(
        (stop) => {
          void log.catchUp();
          return stop;
        },
        (error: unknown) => {
          // Without LISTEN the log still catches up on reconnect and whenever it falls behind.
          logger.warn({ err: error, runId: log.runId }, 'listening for run events failed');
          this.following.delete(log.runId);
          return null;
        },
      );
    this.following.set(log.runId, listening);
  }

  private unfollow(runId: string): void {
    const listening = this.following.get(runId);
    if (!listening) return;
    this.following.delete(runId);
    void listening.then((stop) => stop?.());
  }

  /** One notification per run of the batch (a payload over NOTIFY's limit names the range instead). */
  private runNotifications(envelopes: readonly CouncilEventEnvelope[]): RunNotification[] {
    const notifications: RunNotification[] = [];
    for (const [runId, ofRun] of groupByRun(envelopes)) {
      let payload = `${this.options.hostId} ${JSON.stringify({ e: ofRun } satisfies RunMessage)}`;
      if (Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES) {
        const range = { from: ofRun[0]?.seq ?? 0, to: ofRun.at(-1)?.seq ?? 0 } satisfies RunMessage;
        payload = `${this.options.hostId} ${JSON.stringify(range)}`;
      }
      notifications.push({ channel: runEventsChannel(runId), payload });
    }
    return notifications;
  }

  private receive(runId: string, payload: string): void {
    const space = payload.indexOf(' ');
    if (payload.slice(0, space) === this.options.hostId) return; // delivered here when it was stored
    const log = this.logs.get(runId);
    if (!log) return;
    let message: RunMessage;
    try {
      message = JSON.parse(payload.slice(space + 1)) as RunMessage;
    } catch (error) {
      this.options.logger.warn({ err: error, runId }, 'unreadable run event notification');
      return;
    }
    if ('e' in message ? !log.append(message.e) : log.last < message.to) void log.catchUp();
  }

  private emitCancel(runId: string): void {
    for (const listener of this.cancelListeners) listener(runId);
  }
}

function groupByRun(envelopes: readonly CouncilEventEnvelope[]): Map<string, CouncilEventEnvelope[]> {
  return groupBy(envelopes, (envelope) => envelope.runId);
}
