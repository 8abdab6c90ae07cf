import { ACCESS_TOKENS_PER_USER, createCouncilClient, getAppErrorCode } from '@llm-council/sdk';
import { expect } from 'vitest';
import { councilTest } from './helpers/fixtures.js';
import { followToEnd, signUpWithKey } from './helpers/council-harness.js';

// Personal access tokens over HTTP (security cases 67, 68): the SDK's `token` option runs a whole
// council, a read token is refused at the door, and the cap holds for one batched request.

const test = councilTest();

test('case 68: an SDK client with a council token asks the council and follows the run to the end', async ({ bed }) => {
  const owner = await signUpWithKey(bed.server);
  const { token } = await owner.client.tokens.create.mutate({ name: 'script', scopes: ['council', 'read'] });
  const client = createCouncilClient({ url: bed.server.url, token });

  const { runId } = await client.council.start.mutate({ conversationId: owner.conversationId, content: 'Why tokens?' });
  const events = await followToEnd(client, runId);
  expect(events.at(-1)?.event.type).toBe('run_completed');
  expect((await client.conversations.get.query({ id: owner.conversationId })).messages).toHaveLength(2);
  expect(bed.server.logs.join('\n')).not.toContain(token);
});

test('case 68: a read token over HTTP cannot start a run, and a bad token is a clear UNAUTHORIZED', async ({ bed }) => {
  const owner = await signUpWithKey(bed.server);
  const { token } = await owner.client.tokens.create.mutate({ name: 'reader', scopes: ['read'] });
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

test(`case 67: ${ACCESS_TOKENS_PER_USER + 10} creates in one batched request leave exactly ${ACCESS_TOKENS_PER_USER} tokens`, async ({
  bed,
}) => {
  const owner = await signUpWithKey(bed.server, null);
  const accessToken = await owner.client.getAccessToken();
  const count = ACCESS_TOKENS_PER_USER + 10;
  const body = Object.fromEntries(
    Array.from({ length: count }, (_, i) => [i, { name: `batch ${i}`, scopes: ['read'] }]),
  );
  const response = await fetch(`${bed.server.url}/trpc/${Array(count).fill('tokens.create').join(',')}?batch=1`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${accessToken}` },
    body: JSON.stringify(body),
  });
  const results = (await response.json()) as { result?: unknown; error?: { data: { appCode: string } } }[];
  expect(results.filter((r) => r.result)).toHaveLength(ACCESS_TOKENS_PER_USER);
  expect(new Set(results.filter((r) => r.error).map((r) => r.error?.data.appCode))).toEqual(
    new Set(['ACCESS_TOKEN_LIMIT_REACHED']),
  );
  expect(await owner.client.tokens.list.query()).toHaveLength(ACCESS_TOKENS_PER_USER);
});
