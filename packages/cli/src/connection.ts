import { createCouncilClient, type CouncilClient } from '@llm-council/sdk';
import { readLogin } from './config-store.js';
import { CliError, ExitCode } from './exit-codes.js';

/**
 * The server and token a command uses: `LLM_COUNCIL_URL` / `LLM_COUNCIL_TOKEN` when set (no
 * login needed), else what `llm-council login` stored.
 */
export async function connect(env: NodeJS.ProcessEnv): Promise<{ client: CouncilClient; url: string }> {
  const stored = await readLogin(env);
  const url = env['LLM_COUNCIL_URL'] || stored?.url;
  const token = env['LLM_COUNCIL_TOKEN'] || stored?.token;
  if (!url || !token) {
    throw new CliError(
      'Not signed in. Run `llm-council login`, or set LLM_COUNCIL_URL and LLM_COUNCIL_TOKEN.',
      ExitCode.auth,
    );
  }
  return { client: createCouncilClient({ url, token }), url };
}
