import type { CouncilEventEnvelope } from '@llm-council/council';

/** Reads a run's stored events after a sequence number, oldest first, at most `limit`. */
export type ReadStoredEvents = (afterSeq: number, limit: number) => Promise<CouncilEventEnvelope[]>;

const PAGE_SIZE = 500;

/**
 * One run's events as this host knows them, in memory: a contiguous run of envelopes from
 * `floor + 1` up to `last`, every one of them already stored. Subscribers on this host read from
 * here, so a live event costs no database query per subscriber; they go to the database only for
 * what lies at or below `floor` (an earlier attempt, or a resume point older than this log).
 *
 * It is fed by the run's executor when the run executes here, and otherwise by notifications
 * from the executing host; a gap in what arrives (a lost notification, one that carried only a
 * range) is filled by `catchUp`, the log's single reader — one query per gap for all subscribers.
 */
export class RunLog {
  private readonly events: CouncilEventEnvelope[] = [];
  private readonly waiters = new Set<() => void>();
  private catchingUp: Promise<void> | undefined;
  /** Subscribers and the executor holding this log (the hub evicts it when none is left). */
  holders = 0;
  /** True while this host's executor writes the run (no polling needed then). */
  hasWriter = false;

  constructor(
    readonly runId: string,
    private floor: number,
    private readonly readStored: ReadStoredEvents,
    private readonly onReadError: (error: unknown) => void,
  ) {}

  /** The highest sequence number this log holds (or knows to be stored, at its floor). */
  get last(): number {
    return this.floor + this.events.length;
  }

  /**
   * Takes stored events in order. Returns false if they start beyond `last + 1` (something is
   * missing in between): the caller should `catchUp`. Already known events are skipped.
   */
  append(envelopes: readonly CouncilEventEnvelope[]): boolean {
    let isAdded = false;
    for (const envelope of envelopes) {
      if (envelope.seq <= this.last) continue;
      if (envelope.seq !== this.last + 1) {
        if (isAdded) this.wakeAll();
        return false;
      }
      this.events.push(envelope);
      isAdded = true;
    }
    if (isAdded) this.wakeAll();
    return true;
  }

  /**
   * Events after `afterSeq` held in memory (at most `limit`), or null when some of them lie at
   * or below the floor and must be read from the database.
   */
  readAfter(afterSeq: number, limit: number): CouncilEventEnvelope[] | null {
    if (afterSeq < this.floor) return null;
    const start = afterSeq - this.floor;
    return this.events.slice(start, start + limit);
  }

  /** Reads whatever was stored after `last`; concurrent calls share one reader. */
  catchUp(): Promise<void> {
    this.catchingUp ??= this.readForward().finally(() => {
      this.catchingUp = undefined;
    });
    return this.catchingUp;
  }

  /**
   * Resolves when an event after `afterSeq` is here, the signal aborts, or `timeoutMs` passes
   * (then, with no writer here, the log looks at the database itself: a safety net should a
   * notification have been lost).
   */
  async waitForMore(afterSeq: number, signal: AbortSignal | undefined, timeoutMs: number): Promise<void> {
    if (this.last > afterSeq || signal?.aborted) return;
    const timedOut = await new Promise<boolean>((resolve) => {
      const done = (value: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        signal?.removeEventListener('abort', onAbort);
        resolve(value);
      };
      const wake = () => done(false);
      const onAbort = () => done(false);
      const timer = setTimeout(() => done(true), timeoutMs);
      this.waiters.add(wake);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    if (timedOut && !this.hasWriter) await this.catchUp();
  }

  private async readForward(): Promise<void> {
    try {
      for (;;) {
        const page = await this.readStored(this.last, PAGE_SIZE);
        this.append(page);
        if (page.length < PAGE_SIZE) return;
      }
    } catch (error) {
      // The next notification, reconnect or poll tries again; subscribers keep what they have.
      this.onReadError(error);
    }
  }

  private wakeAll(): void {
    for (const wake of [...this.waiters]) wake();
  }
}
