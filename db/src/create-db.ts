import { PGlite } from '@electric-sql/pglite';
import { CamelCasePlugin, Kysely, PGliteDialect, PostgresDialect } from 'kysely';
import pg from 'pg';
import { join } from 'node:path';
import { acquireDataDirLock } from './data-dir-lock.js';
import type { Database } from './types.js';

export interface DbConfig {
  /** A postgres:// URL; when absent the embedded PGlite database under `dataDir` is used. */
  databaseUrl?: string | undefined;
  /** Where PGlite keeps its files (in `<dataDir>/pglite`); `memory://` for a throwaway in-memory database. */
  dataDir: string;
  /** Pool size for PostgreSQL. */
  maxConnections?: number;
  /** A PGlite data-dir dump (tests start from a migrated template). */
  pgliteTemplate?: Blob | File;
}

/** Listens to Postgres NOTIFY on a channel; resolves to an unsubscribe function. */
export type ListenFn = (channel: string, onPayload: (payload: string) => void) => Promise<() => Promise<void>>;

export interface DbHandle {
  db: Kysely<Database>;
  engine: 'postgres' | 'pglite';
  /** Cross-process notifications: Postgres LISTEN on its own connection; null on PGlite (one process). */
  listen: ListenFn | null;
  close(): Promise<void>;
}

// bigint (count(*)) arrives as a string from pg but as a number from PGlite; make both numbers.
pg.types.setTypeParser(20, (value) => Number(value));

const camelCase = new CamelCasePlugin({ maintainNestedObjectKeys: true });

/** Opens the database the config names. The caller owns the handle and must `close()` it. */
export async function createDb(config: DbConfig): Promise<DbHandle> {
  return config.databaseUrl ? openPostgres(config.databaseUrl, config.maxConnections ?? 10) : openPglite(config);
}

function openPostgres(connectionString: string, max: number): DbHandle {
  const pool = new pg.Pool({ connectionString, max });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [camelCase] });
  let listener: pg.Client | null = null;
  const handlers = new Map<string, Set<(payload: string) => void>>();

  const listen: ListenFn = async (channel, onPayload) => {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`invalid channel name ${channel}`);
    if (!listener) {
      listener = new pg.Client({ connectionString });
      await listener.connect();
      listener.on('notification', (msg) => {
        for (const handler of handlers.get(msg.channel) ?? []) handler(msg.payload ?? '');
      });
    }
    let set = handlers.get(channel);
    if (!set) {
      set = new Set();
      handlers.set(channel, set);
      await listener.query(`LISTEN ${channel}`); // channel is validated above
    }
    set.add(onPayload);
    return () => {
      set.delete(onPayload);
      return Promise.resolve();
    };
  };

  return {
    db,
    engine: 'postgres',
    listen,
    async close() {
      await listener?.end();
      await db.destroy();
    },
  };
}

async function openPglite(config: DbConfig): Promise<DbHandle> {
  const inMemory = config.dataDir.startsWith('memory://');
  const releaseLock = inMemory ? () => {} : acquireDataDirLock(config.dataDir);
  try {
    // PGlite gets a folder of its own; DATA_DIR also holds the lock and development secrets.
    const pglite = await PGlite.create(inMemory ? undefined : join(config.dataDir, 'pglite'), {
      loadDataDir: config.pgliteTemplate,
    });
    const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }), plugins: [camelCase] });
    return {
      db,
      engine: 'pglite',
      listen: null,
      async close() {
        await db.destroy(); // the dialect closes the PGlite instance
        releaseLock();
      },
    };
  } catch (error) {
    releaseLock();
    throw error;
  }
}
