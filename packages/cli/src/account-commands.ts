import { rm } from 'node:fs/promises';
import type { CouncilClient } from '@llm-council/sdk';
import { loginFile, readLogin } from './config-store.js';

/** Prints who the token in use belongs to, and on which server. */
export async function whoamiCommand(client: CouncilClient, url: string, write: (text: string) => void): Promise<void> {
  const me = await client.auth.whoami.query();
  write(`${me.email} on ${url}\n`);
}

/**
 * Forgets the stored login (the file `login` wrote). The token itself stays valid on the server
 * until it expires or is revoked in Settings → Access tokens: a token cannot revoke itself.
 */
export async function logoutCommand(env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<void> {
  const stored = await readLogin(env);
  if (!stored) return log('Not signed in: nothing stored.');
  await rm(loginFile(env), { force: true });
  log(`Signed out of ${stored.url}: removed ${loginFile(env)}.`);
  log('The token stays valid until it expires; revoke it in Settings → Access tokens to end it now.');
}
