import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface PgliteWorkerOptions {
  /** PGlite's own folder; undefined for an in-memory database. */
  pgliteDir: string | undefined;
  /** postgresql.conf settings. */
  settings: string[];
  /** A data-dir dump to start from (the first start only when `pgliteDir` is a folder). */
  template: Blob | undefined;
  /** Hears about a thread that stopped without being asked to (it is restarted on the next statement). */
  onUnexpectedExit?: (error: Error) => void;
}

/** A statement for the worker: SQL with parameters, or the COMMIT that reports an aborted transaction. */
export type Statement = { sql: string; params: readonly unknown[] } | { commit: true };

export interface StatementResult {
  rows: unknown[];
  affectedRows?: number;
  /** The command tag, for COMMIT only: 'ROLLBACK' when an earlier error had aborted the transaction. */
  command?: string;
  /** Which start of the thread ran it: a transaction must end on the thread it began on. */
  thread: number;
}

type Reply =
  { id: number; rows: unknown[]; affectedRows?: number; command?: string } | { id: number; error: ErrorData };
type ErrorData = { message: string; name?: string } & Record<string, string | number | undefined>;

interface Thread {
  worker: Worker;
  number: number;
  ready: Promise<void>;
  /** Why it stopped, once it has (an uncaught error's message, or its exit code). */
  stopped?: string;
}

interface Pending {
  resolve: (result: StatementResult) => void;
  reject: (error: Error) => void;
}

/** How long `close()` waits for PGlite to close its files before it ends the thread anyway. */
const CLOSE_TIMEOUT_MS = 10_000;

// Resolved through the package's own exports, so that the server's bundle (apps/server/dist),
// which compiles this module in, finds the worker's file where it lives in the db package.
const workerPath = () => createRequire(import.meta.url).resolve('@llm-council/db/pglite-worker');

/**
 * The main thread's side of the embedded database's thread: posts statements, matches the
 * replies, and restarts the thread on the next statement after it died. Statements are not held
 * back for each other here — the worker queues them in order — so the database is never idle
 * waiting for this event loop to pass it the next one.
 */
export class PgliteWorker {
  readonly #options: PgliteWorkerOptions;
  #thread: Thread | undefined;
  #starts = 0;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  /** Statements asked for and not yet answered, including those waiting for the thread to start. */
  #outstanding = 0;
  #isClosed = false;

  constructor(options: PgliteWorkerOptions) {
    this.#options = options;
  }

  /** Opens the database now (otherwise the first statement does), so that a broken one fails at start. */
  async open(): Promise<void> {
    this.#track(+1);
    try {
      await this.#current().ready;
    } finally {
      this.#track(-1);
    }
  }

  /**
   * Runs a statement. `onThread` pins it to the thread a transaction began on: if that thread has
   * died since, it fails as a lost connection rather than run outside its transaction.
   */
  async run(statement: Statement, onThread?: number): Promise<StatementResult> {
    if (this.#isClosed) throw new Error('The embedded database is closed');
    this.#track(+1);
    try {
      const thread = onThread === undefined ? this.#current() : this.#thread;
      const isAnotherThread = onThread !== undefined && thread?.number !== onThread;
      if (!thread || isAnotherThread) throw connectionLost(`the transaction's thread stopped`);
      await thread.ready;
      if (thread.stopped) throw connectionLost(thread.stopped);
      const id = this.#nextId++;
      const result = new Promise<StatementResult>((resolve, reject) => this.#pending.set(id, { resolve, reject }));
      thread.worker.postMessage({ id, ...statement });
      return await result;
    } finally {
      this.#track(-1);
    }
  }

  /** Ends the thread at once, as a crash would (tests of the recovery use it). */
  async terminate(): Promise<void> {
    const thread = this.#thread;
    await thread?.ready.catch(() => {});
    if (thread && !thread.stopped) {
      const exited = new Promise<void>((resolve) => thread.worker.once('exit', () => resolve()));
      await thread.worker.terminate();
      await exited;
    }
  }

  /** Closes PGlite after the statements already posted, and ends the thread. */
  async close(): Promise<void> {
    this.#isClosed = true;
    const thread = this.#thread;
    if (!thread) return;
    await thread.ready.catch(() => {});
    if (thread.stopped) return;
    const exited = new Promise<void>((resolve) => thread.worker.once('exit', () => resolve()));
    thread.worker.ref();
    thread.worker.postMessage({ close: true });
    const timer = setTimeout(() => void thread.worker.terminate(), CLOSE_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  /** The running thread, or a new one on the same data dir when there is none (first use, or after a crash). */
  #current(): Thread {
    if (this.#thread && !this.#thread.stopped) return this.#thread;
    const { pgliteDir, settings, template } = this.#options;
    // A folder holds its data across restarts; an in-memory database starts again from the template.
    const dump = template && (this.#starts === 0 || pgliteDir === undefined) ? template : undefined;
    this.#thread = this.#start(pgliteDir, settings, dump);
    return this.#thread;
  }

  #start(pgliteDir: string | undefined, settings: string[], dump: Blob | undefined): Thread {
    const number = ++this.#starts;
    // The worker is created at once, so that statements posted before it is ready queue in order.
    const thread = { number, ready: Promise.resolve() } as Thread;
    thread.ready = (async () => {
      const template = dump ? await dump.arrayBuffer() : undefined;
      thread.worker = new Worker(workerPath(), {
        workerData: { pgliteDir, settings, template },
        transferList: template ? [template] : [],
      });
      this.#listen(thread);
      await new Promise<void>((resolve, reject) => {
        thread.worker.on('message', (message: { ready?: true; openFailed?: ErrorData }) => {
          if (message.ready) resolve();
          if (message.openFailed) reject(reviveError(message.openFailed));
        });
        thread.worker.once('exit', () => reject(connectionLost(thread.stopped ?? 'it stopped while opening')));
      });
    })();
    thread.ready.catch(() => {}); // a failed start is reported to the statements that wait for it
    return thread;
  }

  #listen(thread: Thread): void {
    const { worker } = thread;
    if (this.#outstanding === 0) worker.unref();
    worker.on('message', (reply: Reply | { ready?: true }) => {
      if (!('id' in reply)) return;
      const pending = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      if ('error' in reply) pending?.reject(reviveError(reply.error));
      else pending?.resolve({ ...reply, thread: thread.number });
    });
    let uncaught: unknown;
    worker.on('error', (error) => (uncaught = error));
    worker.once('exit', (code) => {
      const why = uncaught instanceof Error ? uncaught.message : `exit code ${code}`;
      thread.stopped = `the embedded database's thread stopped (${why})`;
      // Every statement in flight went to this thread: none of them will be answered now.
      for (const pending of this.#pending.values()) pending.reject(connectionLost(thread.stopped));
      this.#pending.clear();
      if (!this.#isClosed) this.#options.onUnexpectedExit?.(connectionLost(thread.stopped));
    });
  }

  // A thread with nothing to answer must not keep the process alive (in-process PGlite never did);
  // one with statements in flight must, or a script awaiting a query could exit before the answer.
  #track(delta: 1 | -1): void {
    this.#outstanding += delta;
    const worker = this.#thread?.worker;
    if (!worker || this.#isClosed) return;
    if (delta === 1 && this.#outstanding === 1) worker.ref();
    if (delta === -1 && this.#outstanding === 0) worker.unref();
  }
}

/**
 * The error a statement gets when the thread it went to died: SQLSTATE 08006 (connection
 * failure), so callers treat it as they treat a lost PostgreSQL connection (isConnectionError:
 * a 503, a retry after a pause).
 */
function connectionLost(why: string): Error {
  return Object.assign(new Error(`Connection terminated: ${why}`), { code: '08006' });
}

/** The worker's error data as an Error again, with PostgreSQL's fields (code, constraint, detail, …). */
function reviveError({ message, name, ...fields }: ErrorData): Error {
  const error = Object.assign(new Error(message), fields);
  if (name) error.name = name;
  return error;
}
