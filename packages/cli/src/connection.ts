import { createCouncilClient, type CouncilClient } from '@llm-council/sdk';
import { normalizeUrl, readLogin } from './config-store.js';
import { CliError, ExitCode } from './exit-codes.js';

/**
 * The server and token a command uses: `LLM_COUNCIL_URL` / `LLM_COUNCIL_TOKEN` when set (no
 * login needed), else what `llm-council login` stored. A stored token is sent only to the URL it
 * was issued for: `LLM_COUNCIL_URL` naming another server needs its own login (or its own
 * `LLM_COUNCIL_TOKEN`), or one environment variable would hand the token to any server.
 */
export async function connect(env: NodeJS.ProcessEnv): Promise<{ client: CouncilClient; url: string }> {
  const stored = await readLogin(env);
  const url = env['LLM_COUNCIL_URL'] || stored?.url;
  const token = env['LLM_COUNCIL_TOKEN'] || (stored && url && isSameServer(stored.url, url) ? stored.token : undefined);
  if (!url || !token) {
    if (stored && url) {
      throw new CliError(
        `The stored login is for ${stored.url}, not ${url}. Run \`llm-council login --url ${url}\`, or set LLM_COUNCIL_TOKEN for it.`,
        ExitCode.auth,
      );
    }
    throw new CliError(
      'Not signed in. Run `llm-council login`, or set LLM_COUNCIL_URL and LLM_COUNCIL_TOKEN.',
      ExitCode.auth,
    );
  }
  return { client: createCouncilClient({ url, token }), url };
}

function isSameServer(a: string, b: string): boolean {
  return normalizeUrl(a) === normalizeUrl(b);
}
