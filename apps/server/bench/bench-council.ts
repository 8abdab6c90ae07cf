import { randomBytes } from 'node:crypto';
import type { FakeUpstream } from '@llm-council/council/fake-upstream';
import type { BenchApi } from './bench-client.js';
import { benchReply, benchThought, type BenchProfile } from './bench-runs.js';

// The bench council, shared by `bench:council` and `bench:hosts`: its models, its users, and the
// answer shape the fake upstream gives them.

export const MODELS = ['bench/m1', 'bench/m2', 'bench/m3', 'bench/m4'];
export const CHAIRMAN = 'bench/chair';
export const TITLE_MODEL = 'bench/title';
export const USERS = 25;

/** The server settings that point it at the fake upstream's bench council. */
export function benchCouncilEnv(upstream: FakeUpstream): Record<string, string> {
  return {
    OPENROUTER_BASE_URL: upstream.url,
    COUNCIL_MODELS: MODELS.join(','),
    CHAIRMAN_MODEL: CHAIRMAN,
    TITLE_MODEL,
    MAX_CONCURRENT_RUNS_PER_USER: '100',
  };
}

export async function registerUsers(api: BenchApi, count: number): Promise<BenchApi[]> {
  const users: BenchApi[] = [];
  // A few at a time: each registration hashes a password with argon2.
  for (let i = 0; i < count; i += 5) {
    const batch = Array.from({ length: Math.min(5, count - i) }, async () => {
      const signedIn = await api.mutate<{ accessToken: string }>('auth.register', {
        email: `bench-${randomBytes(6).toString('hex')}@example.test`,
        password: 'bench horse battery staple',
        transport: 'body',
      });
      const user = api.withToken(signedIn.accessToken);
      await user.mutate('settings.saveApiKey', {
        provider: 'openrouter',
        apiKey: `sk-or-v1-${randomBytes(16).toString('hex')}`,
      });
      return user;
    });
    users.push(...(await Promise.all(batch)));
  }
  return users;
}

/** Points every model of the bench council at the profile's answer shape; titles stay short. */
export function useProfile(upstream: FakeUpstream, bench: BenchProfile): void {
  upstream.reset();
  const pace = { firstTokenMs: bench.firstTokenMs, tokenDelayMs: bench.tokenDelayMs };
  const behavior = {
    ...pace,
    reply: benchReply(bench.tokensPerReply),
    // Council members and the chairman think first (reviewers too: they are the same models).
    ...(bench.reasoningTokens > 0 && { reasoning: benchThought(bench.reasoningTokens) }),
  };
  for (const model of [...MODELS, CHAIRMAN]) upstream.setBehavior(model, behavior);
  upstream.setBehavior(TITLE_MODEL, { ...pace, reply: benchReply(5) });
}
