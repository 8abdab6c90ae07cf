import { reencryptAllApiKeys } from '@llm-council/api';
import { createDb } from '@llm-council/db';
import { ConfigError, loadConfig } from './config.js';

// `pnpm keys:rotate`: after putting a new key first in API_KEY_ENCRYPTION_KEY (keep the old one
// after it), re-encrypts every stored API key under the new key. Safe to run while serving.
async function run(): Promise<void> {
  const config = loadConfig(process.env);
  const handle = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const current = config.api.encryptionKeys[0]?.kid ?? '(none)';
    const outcome = await reencryptAllApiKeys(handle.db, config.api);
    console.log(
      `Current key "${current}": ${outcome.reencrypted} re-encrypted, ${outcome.alreadyCurrent} already current, ` +
        `${outcome.unreadable} unreadable (their owners must re-enter them).`,
    );
  } finally {
    await handle.close();
  }
}

run().catch((error: unknown) => {
  console.error(
    error instanceof ConfigError
      ? error.message
      : `Key rotation failed: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
