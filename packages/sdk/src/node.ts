import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { StoredSession, TokenStore } from './token-store.js';

export type { StoredSession, TokenStore } from './token-store.js';

/**
 * Persists the session in a JSON file (mode 0600) so a Node program or CLI stays signed in
 * between runs. Import it from `@llm-council/sdk/node`.
 *
 * @example
 * import { createCouncilClient } from '@llm-council/sdk';
 * import { fileTokenStore } from '@llm-council/sdk/node';
 * const client = createCouncilClient({
 *   url: 'http://127.0.0.1:3000',
 *   tokenStore: fileTokenStore(`${process.env.HOME}/.config/llm-council/session.json`),
 * });
 */
export function fileTokenStore(path: string): TokenStore {
  return {
    async load() {
      try {
        return JSON.parse(await readFile(path, 'utf8')) as StoredSession;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
    async save(session) {
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      await writeFile(path, JSON.stringify(session), { mode: 0o600 });
      await chmod(path, 0o600);
    },
    async clear() {
      await rm(path, { force: true });
    },
  };
}
