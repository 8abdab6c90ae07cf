import { hostname } from 'node:os';
import { createCouncilClient, getAppErrorCode, memoryTokenStore } from '@llm-council/sdk';
import { normalizeUrl, writeLogin } from './config-store.js';
import { promptHidden, promptLine, readStdin } from './prompts.js';

export interface LoginOptions {
  url?: string;
  email?: string;
  token?: string;
  passwordStdin?: boolean;
}

const DEFAULT_URL = 'http://127.0.0.1:3000';

/**
 * Stores a server URL and a personal access token in the config directory (mode 0600). With
 * `--token` the token is checked and stored; otherwise the password signs in once, creates a
 * `read` + `council` token named after this machine, and the password session is ended again.
 */
export async function loginCommand(options: LoginOptions, env: NodeJS.ProcessEnv, log: (line: string) => void) {
  const url = normalizeUrl(options.url ?? env['LLM_COUNCIL_URL'] ?? (await promptLine('Server URL', DEFAULT_URL)));
  const token = options.token ?? (await createTokenWithPassword(url, options));
  await checkToken(url, token);
  const file = await writeLogin(env, { url, token });
  log(`Signed in to ${url}. Token stored in ${file}.`);
}

async function createTokenWithPassword(url: string, options: LoginOptions): Promise<string> {
  const email = options.email ?? (await promptLine('Email'));
  const password = options.passwordStdin ? await readStdin() : await promptHidden('Password');
  const client = createCouncilClient({ url, tokenStore: memoryTokenStore(), transport: 'body' });
  await client.auth.login.mutate({ email, password });
  try {
    const created = await client.tokens.create.mutate({
      name: `llm-council CLI on ${hostname()}`.slice(0, 100),
      scopes: ['read', 'council'],
      password,
    });
    return created.token;
  } finally {
    // The CLI keeps only the token; the password session it used ends here.
    await client.auth.logout.mutate({}).catch(() => undefined);
  }
}

/** A token is good if the server accepts it; lacking the `read` scope is fine (it is a valid token). */
async function checkToken(url: string, token: string): Promise<void> {
  const client = createCouncilClient({ url, token });
  try {
    await client.conversations.list.query({ limit: 1 });
  } catch (error) {
    if (getAppErrorCode(error) !== 'ACCESS_TOKEN_FORBIDDEN') throw error;
  }
}
