import {
  AbortedTransactionError,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import { isConnectionError } from '../connection-errors.js';
import type { PgliteWorker, Statement, StatementResult } from './worker-client.js';

/**
 * Kysely's dialect for PGlite in a worker thread: PostgreSQL's SQL, statements posted to the worker.
 *
 * PGlite is one session, so Kysely's own PGlite dialect lets one statement at a time out of the
 * main thread and waits for its answer before the next. Here any number of statements may be on
 * their way — the worker runs them in the order they were posted — and only a transaction holds
 * the others back: from its BEGIN to its COMMIT, statements from outside it wait (TransactionGate),
 * as they would wait for the one connection today, so none of them lands inside it.
 */
export class PgliteWorkerDialect implements Dialect {
  readonly #worker: PgliteWorker;

  constructor(worker: PgliteWorker) {
    this.#worker = worker;
  }

  createAdapter(): DialectAdapter {
    return new PostgresAdapter(); // several "connections" (see above), transactional DDL, advisory migration lock
  }

  createDriver(): Driver {
    return new PgliteWorkerDriver(this.#worker);
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }

  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }
}

/** At most one transaction open at a time, and no statement from outside it while it is. */
class TransactionGate {
  #open: Promise<void> | undefined;
  #release: (() => void) | undefined;

  get isLocked(): boolean {
    return this.#open !== undefined;
  }

  /** Resolves once no transaction is open. Callers re-check `isLocked`: another may have begun first. */
  async opened(): Promise<void> {
    await this.#open;
  }

  async lock(): Promise<void> {
    while (this.#open) await this.#open;
    this.#open = new Promise((resolve) => (this.#release = resolve));
  }

  unlock(): void {
    const release = this.#release;
    this.#open = undefined;
    this.#release = undefined;
    release?.();
  }
}

class PgliteWorkerDriver implements Driver {
  readonly #worker: PgliteWorker;
  readonly #gate = new TransactionGate();

  constructor(worker: PgliteWorker) {
    this.#worker = worker;
  }

  async init(): Promise<void> {
    await this.#worker.open();
  }

  acquireConnection(): Promise<DatabaseConnection> {
    return Promise.resolve(new PgliteWorkerConnection(this.#worker, this.#gate));
  }

  async releaseConnection(): Promise<void> {}

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    await this.#gate.lock();
    try {
      await (connection as PgliteWorkerConnection).begin(beginStatement(settings));
    } catch (error) {
      this.#gate.unlock();
      throw error;
    }
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const transaction = connection as PgliteWorkerConnection;
    try {
      const { command } = await transaction.end({ commit: true });
      // COMMIT after an error inside the transaction rolls back; say so, as Kysely's dialects do.
      if (command === 'ROLLBACK') throw new AbortedTransactionError();
    } finally {
      this.#gate.unlock();
    }
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const transaction = connection as PgliteWorkerConnection;
    if (!transaction.isInTransaction) return; // Kysely rolls back after a failed BEGIN or COMMIT too
    try {
      await transaction.end({ sql: 'rollback', params: [] });
    } catch (error) {
      // The thread died: its transaction went with it, and the caller has the error that says so.
      if (!isConnectionError(error)) throw error;
    } finally {
      this.#gate.unlock();
    }
  }

  async destroy(): Promise<void> {
    await this.#worker.close();
  }
}

/** Kysely's "connection": how a statement is posted, in a transaction or not. */
class PgliteWorkerConnection implements DatabaseConnection {
  readonly #worker: PgliteWorker;
  readonly #gate: TransactionGate;
  /** The start of the worker thread this connection's transaction began on; undefined outside one. */
  #thread: number | undefined;

  constructor(worker: PgliteWorker, gate: TransactionGate) {
    this.#worker = worker;
    this.#gate = gate;
  }

  get isInTransaction(): boolean {
    return this.#thread !== undefined;
  }

  async begin(sql: string): Promise<void> {
    const { thread } = await this.#worker.run({ sql, params: [] });
    this.#thread = thread;
  }

  async end(statement: Statement): Promise<StatementResult> {
    const thread = this.#thread;
    this.#thread = undefined;
    return this.#worker.run(statement, thread);
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (!this.isInTransaction) {
      while (this.#gate.isLocked) await this.#gate.opened();
    }
    // Posted without another await after the gate check, so a BEGIN cannot slip in between.
    const { rows, affectedRows } = await this.#worker.run({ sql: query.sql, params: query.parameters }, this.#thread);
    return { rows: rows as R[], numAffectedRows: affectedRows == null ? undefined : BigInt(affectedRows) };
  }

  streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('Streaming is not supported by PGlite.');
  }
}

/** BEGIN, or START TRANSACTION with the settings asked for (as Kysely's PostgreSQL driver writes it). */
function beginStatement({ isolationLevel, accessMode }: TransactionSettings): string {
  if (!isolationLevel && !accessMode) return 'begin';
  return ['start transaction', isolationLevel && `isolation level ${isolationLevel}`, accessMode]
    .filter(Boolean)
    .join(' ');
}
