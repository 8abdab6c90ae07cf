import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { inject } from 'vitest';
import { createDb, type DbHandle } from './create-db.js';
import { migrateToLatest } from './migrator.js';
import { buildMigratedTemplate } from './test-template.js';
import { readTestDatabaseUrl } from './test-env.js';
import type { Database } from './types.js';

/**
 * An empty, migrated database for one test file: PGlite by default (one its worker has used before,
 * emptied, unless `pooled: false`), a new database on the PostgreSQL server named by
 * TEST_DATABASE_URL when it is set (dropped again on close).
 */
export async function createTestDb(
  options: {
    migrate?: boolean;
    /** false: a PGlite database of its own, which `close()` really closes (for tests that break it). */
    pooled?: boolean;
  } = {},
): Promise<DbHandle & { url: string | undefined }> {
  const shouldMigrate = options.migrate ?? true;
  const serverUrl = readTestDatabaseUrl();
  if (serverUrl) return createPostgresTestDb(serverUrl, shouldMigrate);
  if (!shouldMigrate) return { ...(await openPgliteTestDb(undefined)), url: undefined };
  if (options.pooled === false) return { ...(await openPgliteTestDb(await loadMigratedTemplate())), url: undefined };
  return { ...(await takeMigratedPgliteTestDb()), url: undefined };
}

// On the test's own thread: a worker thread per test database cost the unit files 25 % more CPU
// (packages/api/src/council: 26.6 s against 21.2 s). The worker has its own tests (db/src/pglite-worker),
// and every server process the tests start (DATA_DIR) runs it.
const openPgliteTestDb = (template: Blob | undefined) =>
  createDb({ dataDir: 'memory://', pgliteTemplate: template, pgliteThread: 'main' });

/**
 * Migrated PGlite databases this worker's files have closed, kept open to be emptied and handed to
 * the next file that asks. Unpacking a fresh one from the template costs about 236 ms of CPU (and
 * 158 ms of wall), emptying one with a single TRUNCATE about 26 ms; a run opens about 120. A file's
 * harness stops its server or services — their runs, writers and timers — before it closes its
 * database (test-server.ts, test-api.ts), so nothing of the last file writes into the next one's.
 */
const released: DbHandle[] = [];
const tablesOf = new WeakMap<DbHandle, string>();

async function takeMigratedPgliteTestDb(): Promise<DbHandle> {
  const reused = released.pop();
  const handle = reused ?? (await openPgliteTestDb(await loadMigratedTemplate()));
  if (reused) await emptyTables(reused);
  let isClosed = false;
  return {
    ...handle,
    close() {
      if (!isClosed) released.push(handle);
      isClosed = true;
      return Promise.resolve();
    },
  };
}

/** Empties every table but the migrations' own, and restarts their sequences: as the template left them. */
async function emptyTables(handle: DbHandle): Promise<void> {
  let tables = tablesOf.get(handle);
  if (tables === undefined) {
    const { rows } = await sql<{ name: string }>`
      select quote_ident(schemaname) || '.' || quote_ident(tablename) as name from pg_tables
      where schemaname not in ('pg_catalog', 'information_schema')
        and tablename not in ('kysely_migration', 'kysely_migration_lock')`.execute(handle.db);
    tables = rows.map((row) => row.name).join(', ');
    tablesOf.set(handle, tables);
  }
  if (tables) await sql.raw(`truncate ${tables} restart identity cascade`).execute(handle.db);
}

/**
 * A migrated PGlite data directory on disk, where `createDb({ dataDir })` opens it: for tests that
 * hand a DATA_DIR to a child process. Unpacked from the run's template (about a second) instead of
 * initdb in a child process and every migration (about five).
 */
export async function createTestDataDir(dataDir: string): Promise<void> {
  const pglite = await PGlite.create(join(dataDir, 'pglite'), { loadDataDir: await loadMigratedTemplate() });
  await pglite.close();
}

/** Whether tests run against a real PostgreSQL server. */
export function isUsingRealPostgres(): boolean {
  return readTestDatabaseUrl() !== undefined;
}

let templatePromise: Promise<Blob> | undefined;

// The run's global setup builds the template once and names its file; a file run without it
// (another runner, a project without the setup) builds its own.
function loadMigratedTemplate(): Promise<Blob> {
  templatePromise ??= (async () => {
    const path = inject('pgliteTemplatePath');
    return path ? new Blob([await readFile(path)]) : buildMigratedTemplate();
  })();
  return templatePromise;
}

async function createPostgresTestDb(serverUrl: string, shouldMigrate: boolean) {
  const name = `llmc_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`); // name is generated above, never input
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle = await createDb({ databaseUrl: url.toString(), dataDir: 'memory://', maxConnections: 20 });
  if (shouldMigrate) await migrateToLatest(handle.db);
  return {
    ...handle,
    url: url.toString(),
    async close() {
      await handle.close();
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

/**
 * For deletion tests: per table of the current schema, how many rows mention any of `needles`
 * anywhere (the row's whole text form, every column), and how many rows each table with a
 * `user_id` column holds for `userId`. Tables added later are covered without changing tests.
 */
export async function findRowsOfUser(
  db: Kysely<Database>,
  user: { id: string; needles: string[] },
): Promise<{ mentioning: Record<string, number>; byUserId: Record<string, number> }> {
  const tables = await sql<{ name: string; hasUserId: boolean }>`
    select t.table_name as name,
           exists (select 1 from information_schema.columns c
                   where c.table_schema = t.table_schema and c.table_name = t.table_name
                     and c.column_name = 'user_id') as "hasUserId"
    from information_schema.tables t
    where t.table_schema = current_schema() and t.table_type = 'BASE TABLE'
    order by t.table_name`.execute(db);
  const mentioning: Record<string, number> = {};
  const byUserId: Record<string, number> = {};
  for (const { name, hasUserId } of tables.rows) {
    const mentions = user.needles.map((needle) => sql`strpos(t::text, ${needle}) > 0`);
    const found = await sql<{ n: number }>`
      select count(*)::int as n from ${sql.table(name)} as t where ${sql.join(mentions, sql` or `)}`.execute(db);
    mentioning[name] = Number(found.rows[0]?.n ?? 0);
    if (!hasUserId) continue;
    const owned = await sql<{ n: number }>`
      select count(*)::int as n from ${sql.table(name)} where user_id = ${user.id}::uuid`.execute(db);
    byUserId[name] = Number(owned.rows[0]?.n ?? 0);
  }
  return { mentioning, byUserId };
}
