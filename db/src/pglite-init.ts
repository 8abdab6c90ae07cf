import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Creating a PGlite data directory runs `initdb` inside the WASM build, and the process that did
 * it keeps ~800 MB resident afterwards; a process that only opens an existing directory stays
 * near 250 MB. So a fresh directory is initialised by a short-lived child process, and the
 * server only ever opens one (see docs/decisions/0001).
 */
export async function initialisePgliteDirInChild(pgliteDir: string, settings: string[]): Promise<void> {
  if (existsSync(join(pgliteDir, 'PG_VERSION'))) return;
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const script = [
    'const { PGlite } = require(process.argv[1]);',
    'PGlite.create(process.argv[2], { postgresqlconf: JSON.parse(process.argv[3]) })',
    '  .then((db) => db.close())',
    '  .catch((error) => { console.error(error); process.exit(1); });',
  ].join('\n');
  await run(process.execPath, ['-e', script, entry, pgliteDir, JSON.stringify(settings)], { timeout: 120_000 });
}
