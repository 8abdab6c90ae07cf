import { ACCESS_TOKENS_PER_USER, createCouncilClient, getAppErrorCode } from '@llm-council/sdk';
import { expect } from 'vitest';
import { councilTest } from './helpers/fixtures.js';
import { followToEnd, signUpWithKey } from './helpers/council-harness.js';
import { STRONG_PASSWORD } from './helpers/test-server.js';

// Personal access tokens over HTTP (security cases 67, 68): the SDK's `token` option runs a whole
// council, a read token is refused at the door, and the cap holds for one batched request.

const test = councilTest();

test('case 68: an SDK client with a council token asks the council and follows the run to the end', async ({ bed }) => {
  const owner = await signUpWithKey(bed.server);
  const { token } = await owner.client.tokens.create.mutate({
    name: 'script',
    scopes: ['council', 'read'],
    password: STRONG_PASSWORD,
  });
  const client = createCouncilClient({ url: bed.server.url, token });

  const { runId } = await client.council.start.mutate({ conversationId: owner.conversationId, content: 'Why tokens?' });
  const events = await followToEnd(client, runId);
  expect(events.at(-1)?.event.type).toBe('run_completed');
  expect((await client.conversations.get.query({ id: owner.conversationId })).messages).toHaveLength(2);
  expect(bed.server.logs.join('\n')).not.toContain(token);
});

test('case 68: a read token over HTTP cannot start a run, and a bad token is a clear UNAUTHORIZED', async ({ bed }) => {
  const owner = await signUpWithKey(bed.server);
  const { token } = await owner.client.tokens.create.mutate({
    name: 'reader',
    scopes: ['read'],
    password: STRONG_PASSWORD,
  });
  const reader = createCouncilClient({ url: bed.server.url, token });
  const upstreamCalls = bed.upstream.requests.length;
  const refused = await reader.council.start
    .mutate({ conversationId: owner.conversationId, content: 'not allowed' })
    .catch((error: unknown) => error);
  expect(getAppErrorCode(refused)).toBe('ACCESS_TOKEN_FORBIDDEN');
  expect(bed.upstream.requests).toHaveLength(upstreamCalls);

  const forged = createCouncilClient({ url: bed.server.url, token: `${token.slice(0, -4)}AAAA` });
  expect(getAppErrorCode(await forged.conversations.list.query().catch((error: unknown) => error))).toBe(
    'ACCESS_TOKEN_INVALID',
  );
});

/** Sends `count` `tokens.create` calls in one batched request; returns each call's app code, or 'created'. */
async function createInOneBatch(url: string, accessToken: string | null, count: number) {
  const body = Object.fromEntries(
    Array.from({ length: count }, (_, i) => [i, { name: `batch ${i}`, scopes: ['read'], password: STRONG_PASSWORD }]),
  );
  const response = await fetch(`${url}/trpc/${Array(count).fill('tokens.create').join(',')}?batch=1`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${accessToken}` },
    body: JSON.stringify(body),
  });
  const results = (await response.json()) as { result?: unknown; error?: { data: { appCode: string } } }[];
  return results.map((r) => (r.result ? 'created' : r.error?.data.appCode));
}

function tally(outcomes: (string | undefined)[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const outcome of outcomes) counts[String(outcome)] = (counts[String(outcome)] ?? 0) + 1;
  return counts;
}

test(`case 67: batched creates leave exactly ${ACCESS_TOKENS_PER_USER} tokens; each batch checks the password ten times at most (case 79)`, async ({
  bed,
}) => {
  const owner = await signUpWithKey(bed.server, null);
  const accessToken = await owner.client.getAccessToken();
  const window = bed.server.config.api.rateLimits.changePasswordPerUser.windowSeconds;
  try {
    // Each window lets ten password checks through: two windows fill the cap of twenty…
    for (let round = 0; round < 2; round++) {
      expect(tally(await createInOneBatch(bed.server.url, accessToken, 30))).toEqual({ created: 10, RATE_LIMITED: 20 });
      bed.server.advanceClock(window);
    }
    // …and in the third, ten creates with the right password race for no place at all.
    expect(tally(await createInOneBatch(bed.server.url, accessToken, 30))).toEqual({
      ACCESS_TOKEN_LIMIT_REACHED: 10,
      RATE_LIMITED: 20,
    });
  } finally {
    bed.server.advanceClock(-2 * window);
  }
  expect(await owner.client.tokens.list.query()).toHaveLength(ACCESS_TOKENS_PER_USER);
});
