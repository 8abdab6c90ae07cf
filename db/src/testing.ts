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
 * A fresh, migrated database for one test file: PGlite by default, a new database on the
 * PostgreSQL server named by TEST_DATABASE_URL when it is set (dropped again on close).
 */
export async function createTestDb(
  options: { migrate?: boolean } = {},
): Promise<DbHandle & { url: string | undefined }> {
  const shouldMigrate = options.migrate ?? true;
  const serverUrl = readTestDatabaseUrl();
  if (serverUrl) return createPostgresTestDb(serverUrl, shouldMigrate);
  const template = shouldMigrate ? await loadMigratedTemplate() : undefined;
  // On the test's own thread: a worker thread per test database cost the unit files 25 % more CPU
  // (packages/api/src/council: 26.6 s against 21.2 s). The worker has its own tests (db/src/pglite-worker),
  // and every server process the tests start (DATA_DIR) runs it.
  const handle = await createDb({ dataDir: 'memory://', pgliteTemplate: template, pgliteThread: 'main' });
  return { ...handle, url: undefined };
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
