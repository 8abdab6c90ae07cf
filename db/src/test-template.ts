import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect } from 'kysely';
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
 */
export async function buildMigratedTemplate(): Promise<Blob> {
  const pglite = await PGlite.create();
  const db = new Kysely<unknown>({ dialect: new PGliteDialect({ pglite }) });
  await migrateToLatest(db);
  const dump = await pglite.dumpDataDir('none');
  await db.destroy();
  return dump;
}
