import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect } from 'kysely';
import pg from 'pg';
import { createDb, type DbHandle } from './create-db.js';
import { migrateToLatest } from './migrator.js';
import { readTestDatabaseUrl } from './test-env.js';

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
  const handle = await createDb({ dataDir: 'memory://', pgliteTemplate: template });
  return { ...handle, url: undefined };
}

/** Whether tests run against a real PostgreSQL server. */
export function isUsingRealPostgres(): boolean {
  return readTestDatabaseUrl() !== undefined;
}

let templatePromise: Promise<Blob> | undefined;

// Initialising PGlite takes seconds; a migrated dump loads much faster, so build it once per worker.
function loadMigratedTemplate(): Promise<Blob> {
  templatePromise ??= (async () => {
    const pglite = await PGlite.create();
    const db = new Kysely<unknown>({ dialect: new PGliteDialect({ pglite }) });
    await migrateToLatest(db);
    const dump = await pglite.dumpDataDir('none');
    await db.destroy();
    return dump;
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
