import { createDb, migrateDown, migrateToLatest } from '@llm-council/db';
import { ConfigError, loadConfig } from './config.js';

// `pnpm db:migrate` (up to the latest) and `pnpm db:migrate:down` (revert the newest one), on
// PostgreSQL when DATABASE_URL is set and on the embedded database otherwise.
async function run(): Promise<void> {
  const direction = process.argv[2] === 'down' ? 'down' : 'up';
  const config = loadConfig(process.env, { onNotice: (m) => console.log(m) });
  const target = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `the embedded database in ${config.dataDir}`;
  const handle = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const outcome = direction === 'up' ? await migrateToLatest(handle.db) : await migrateDown(handle.db);
    if (outcome.applied.length === 0) {
      console.log(direction === 'up' ? `${target}: already up to date.` : `${target}: nothing to revert.`);
    }
    for (const name of outcome.applied)
      console.log(`${target}: ${direction === 'up' ? 'applied' : 'reverted'} ${name}`);
  } finally {
    await handle.close();
  }
}

run().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message);
  else {
    console.error('Migration failed:', error instanceof Error ? error.message : error);
    if (error instanceof Error && error.cause)
      console.error('  cause:', error.cause instanceof Error ? error.cause.message : error.cause);
  }
  process.exit(1);
});
