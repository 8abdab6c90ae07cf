import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, sql } from 'kysely';
import { migrateToLatest } from './migrator.js';

declare module 'vitest' {
  interface ProvidedContext {
    /** The file of a migrated PGlite dump the run's global setup built; absent on PostgreSQL. */
    pgliteTemplatePath?: string;
  }
}

/**
 * A PGlite data directory with every migration applied, as a dump. Initialising PGlite and
 * migrating takes seconds; loading this dump into a fresh in-memory PGlite is much cheaper.
 *
 * Every test database is unpacked from this dump, so it is kept small: a 1 MB WAL segment instead
 * of 16 MB, and without the `template0`/`template1` databases (PGlite never creates a database).
 * That takes the dump from about 40 MB to 15 MB and a test database's start by about a third.
 */
export async function buildMigratedTemplate(): Promise<Blob> {
  const pglite = await PGlite.create({ initDbStartParams: ['--wal-segsize=1'] });
  const db = new Kysely<unknown>({ dialect: new PGliteDialect({ pglite }) });
  await migrateToLatest(db);
  await sql`update pg_database set datistemplate = false where datname in ('template0', 'template1')`.execute(db);
  await sql`drop database template0`.execute(db);
  await sql`drop database template1`.execute(db);
  await sql`checkpoint`.execute(db);
  const dump = await pglite.dumpDataDir('none');
  await db.destroy();
  return dump;
}
