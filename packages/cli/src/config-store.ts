import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** What `llm-council login` remembers: the server and a personal access token for it. */
export interface StoredLogin {
  url: string;
  token: string;
}

/**
 * The user's config directory: `$XDG_CONFIG_HOME/llm-council`, else `~/.config/llm-council`
 * (`%APPDATA%\llm-council` on Windows). `LLM_COUNCIL_CONFIG_DIR` overrides it (tests, several accounts).
 */
export function configDir(env: NodeJS.ProcessEnv): string {
  if (env['LLM_COUNCIL_CONFIG_DIR']) return env['LLM_COUNCIL_CONFIG_DIR'];
  if (process.platform === 'win32' && env['APPDATA']) return join(env['APPDATA'], 'llm-council');
  return join(env['XDG_CONFIG_HOME'] || join(homedir(), '.config'), 'llm-council');
}

export function loginFile(env: NodeJS.ProcessEnv): string {
  return join(configDir(env), 'login.json');
}

export async function readLogin(env: NodeJS.ProcessEnv): Promise<StoredLogin | null> {
  let text: string;
  try {
    text = await readFile(loginFile(env), 'utf8');
  } catch (error: unknown) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<StoredLogin>;
  return typeof parsed.url === 'string' && typeof parsed.token === 'string'
    ? { url: parsed.url, token: parsed.token }
    : null;
}

/**
 * Writes the login readable by its owner only, with no moment at which the token sits in a
 * readable file: the directory is made (or tightened to) 0700 first, the token goes into a new
 * file created 0600 (`wx`: never an existing file, whose mode would be kept), and that file is
 * renamed over the old login in one step.
 */
export async function writeLogin(env: NodeJS.ProcessEnv, login: StoredLogin): Promise<string> {
  const dir = configDir(env);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const file = loginFile(env);
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  return file;
}

/** Server URLs compare without trailing slashes: `http://host/` and `http://host` are one server. */
export function normalizeUrl(url: string): string {
  return url.replace(/\/+$/, '');
}
