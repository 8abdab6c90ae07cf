import { PGlite } from '@electric-sql/pglite';
import { CamelCasePlugin, type Dialect, Kysely, PGliteDialect, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { join } from 'node:path';
import { acquireDataDirLock } from './data-dir-lock.js';
import { createNotifications, type Notifications } from './notifications.js';
import { initialisePgliteDirInChild } from './pglite-init.js';
import { PgliteWorker } from './pglite-worker/worker-client.js';
import { PgliteWorkerDialect } from './pglite-worker/worker-dialect.js';
import type { Database } from './types.js';

export interface DbConfig {
  /** A postgres:// URL; when absent the embedded PGlite database under `dataDir` is used. */
  databaseUrl?: string | undefined;
  /** Where PGlite keeps its files (in `<dataDir>/pglite`); `memory://` for a throwaway in-memory database. */
  dataDir: string;
  /** Pool size for PostgreSQL. */
  maxConnections?: number;
  /** How long a query waits for a pooled connection before it fails (PostgreSQL); default 5 s. */
  connectTimeoutMs?: number;
  /** A PGlite data-dir dump (tests start from a migrated template). */
  pgliteTemplate?: Blob | File;
  /**
   * Where PGlite runs: in a worker thread of its own (the default, decision 0015), or on the
   * calling thread, where its work shares the event loop with everything else.
   */
  pgliteThread?: 'worker' | 'main';
  /** Sees every statement Kysely executes (the benchmark counts them). */
  onQuery?: () => void;
  /** Hears about connection trouble the process rides through (a lost idle client, a LISTEN reconnect). */
  onConnectionError?: (error: unknown, where: 'pool' | 'listen' | 'maintenance' | 'pglite-worker') => void;
}

export interface DbHandle {
  db: Kysely<Database>;
  engine: 'postgres' | 'pglite';
  /** Cross-process notifications: Postgres LISTEN on its own connection; null on PGlite (one process). */
  notifications: Notifications | null;
  close(): Promise<void>;
}

// bigint (count(*)) arrives as a string from pg but as a number from PGlite; make both numbers.
pg.types.setTypeParser(20, (value) => Number(value));

const camelCase = new CamelCasePlugin({ maintainNestedObjectKeys: true });

/** PostgreSQL's caches sized for one embedded server rather than the defaults (see docs/decisions/0001). */
const PGLITE_SETTINGS = ['shared_buffers=32MB', 'work_mem=4MB', 'temp_buffers=4MB', 'maintenance_work_mem=16MB'];

function queryLog(config: DbConfig): { log?: () => void } {
  const { onQuery } = config;
  return onQuery ? { log: () => onQuery() } : {};
}

/** Opens the database the config names. The caller owns the handle and must `close()` it. */
export async function createDb(config: DbConfig): Promise<DbHandle> {
  return config.databaseUrl ? openPostgres(config.databaseUrl, config) : openPglite(config);
}

function openPostgres(connectionString: string, config: DbConfig): DbHandle {
  const pool = new pg.Pool({
    connectionString,
    max: config.maxConnections ?? 10,
    // During an outage a request must fail fast (503), not queue behind a pool that cannot connect.
    connectionTimeoutMillis: config.connectTimeoutMs ?? 5_000,
  });
  // An idle client whose backend is terminated emits 'error' on the pool; the pool drops it and
  // opens a new one on demand. Unhandled, the same event would end the process.
  pool.on('error', (error) => config.onConnectionError?.(error, 'pool'));
  // The pool listens for errors only on idle clients. A client that is checked out when its
  // backend goes away emits 'error' too; the query in flight fails (and is retried or answered
  // with 503), the pool discards the client on release — and this listener keeps the process up.
  pool.on('connect', (client) => {
    client.on('error', (error) => config.onConnectionError?.(error, 'pool'));
  });
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
    plugins: [camelCase],
    ...queryLog(config),
  });
  const notifications = createNotifications({
    connectionString,
    onError: (error) => config.onConnectionError?.(error, 'listen'),
  });
  return {
    db,
    engine: 'postgres',
    notifications,
    async close() {
      await notifications.close();
      await db.destroy();
    },
  };
}

/** How often the embedded database refreshes its planner statistics. */
const PGLITE_ANALYZE_INTERVAL_MS = 10 * 60_000;

/**
 * PGlite has no autovacuum: without it the planner keeps the statistics of an empty table and,
 * with 10,000 conversations, sorts them all for a page of 50 (3.5 ms instead of 0.2 ms). So the
 * embedded database runs `ANALYZE` shortly after it opens and every ten minutes.
 */
function startPgliteMaintenance(db: Kysely<Database>, onError: DbConfig['onConnectionError']): () => void {
  const analyze = () => {
    sql`analyze`.execute(db).catch((error: unknown) => onError?.(error, 'maintenance'));
  };
  const first = setTimeout(analyze, 5_000);
  const timer = setInterval(analyze, PGLITE_ANALYZE_INTERVAL_MS);
  first.unref();
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}

async function openPglite(config: DbConfig): Promise<DbHandle> {
  const inMemory = config.dataDir.startsWith('memory://');
  const releaseLock = inMemory ? () => {} : acquireDataDirLock(config.dataDir);
  try {
    // PGlite gets a folder of its own; DATA_DIR also holds the lock and development secrets.
    const pgliteDir = inMemory ? undefined : join(config.dataDir, 'pglite');
    if (pgliteDir) await initialisePgliteDirInChild(pgliteDir, PGLITE_SETTINGS);
    const dialect =
      config.pgliteThread === 'main'
        ? await openPgliteHere(pgliteDir, config)
        : await openPgliteInWorker(pgliteDir, config);
    const db = new Kysely<Database>({ dialect, plugins: [camelCase], ...queryLog(config) });
    const stopMaintenance = inMemory ? () => {} : startPgliteMaintenance(db, config.onConnectionError);
    return {
      db,
      engine: 'pglite',
      notifications: null,
      async close() {
        stopMaintenance();
        await db.destroy(); // the dialect closes PGlite (and ends its thread)
        releaseLock();
      },
    };
  } catch (error) {
    releaseLock();
    throw error;
  }
}

async function openPgliteHere(pgliteDir: string | undefined, config: DbConfig): Promise<Dialect> {
  const pglite = await PGlite.create(pgliteDir, {
    loadDataDir: config.pgliteTemplate,
    postgresqlconf: PGLITE_SETTINGS,
  });
  return new PGliteDialect({ pglite });
}

/**
 * The main thread keeps the data-dir lock; the worker owns PGlite. A worker that dies (an
 * uncaught error, an aborted WebAssembly instance) fails the statements in flight as a lost
 * connection and is started again, on the same folder, by the next statement.
 */
async function openPgliteInWorker(pgliteDir: string | undefined, config: DbConfig): Promise<Dialect> {
  const worker = new PgliteWorker({
    pgliteDir,
    settings: PGLITE_SETTINGS,
    template: config.pgliteTemplate,
    onUnexpectedExit: (error) => config.onConnectionError?.(error, 'pglite-worker'),
  });
  await worker.open(); // a database that cannot open fails here, at start, as in-process PGlite does
  return new PgliteWorkerDialect(worker);
}
