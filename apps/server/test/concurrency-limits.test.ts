import { randomBytes } from 'node:crypto';
import { MAX_BATCH_SIZE } from '@llm-council/api/constants';
import { expect } from 'vitest';
import type { FakeUpstream } from '@llm-council/council/fake-upstream';
import { upstreamServerTest } from './helpers/fixtures.js';
import { call, type RawResponse } from './helpers/http.js';
import { STRONG_PASSWORD, uniqueEmail, type TestServer } from './helpers/test-server.js';

// The concurrency suite, limits (cases 48 and 50, and hole 11 of issue 9): every limit holds when
// its requests arrive at once — in parallel, and in one batched request whose calls tRPC runs
// concurrently. Runs on PGlite and on PostgreSQL (TEST_DATABASE_URL).

const KEY = `sk-or-v1-${randomBytes(24).toString('hex')}`;
// Argon2 at production cost, ten times per login test, on a 2-core machine shared with other work.
const LOGIN_TEST_TIMEOUT_MS = 180_000;

const test = upstreamServerTest({ keys: { [KEY]: { valid: true } } });

interface BatchItem {
  result?: unknown;
  error?: { data?: { appCode?: string | null; retryAfterSeconds?: number | null } };
}

/** One batched request (`a,a,a?batch=1`) of `inputs.length` calls to `path`. */
async function batch(server: TestServer, path: string, inputs: unknown[], accessToken?: string) {
  const response = await fetch(`${server.url}/trpc/${Array(inputs.length).fill(path).join(',')}?batch=1`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(accessToken ? { Authorization: `Bearer ${accessToken}` } : {}),
    },
    body: JSON.stringify(Object.fromEntries(inputs.map((input, i) => [String(i), input]))),
  });
  return { status: response.status, headers: response.headers, items: (await response.json()) as BatchItem[] };
}

function appCodes(items: BatchItem[]) {
  return items.map((item) => (item.error ? (item.error.data?.appCode ?? 'unknown') : 'ok'));
}

function expectRetryAfter(response: RawResponse): void {
  expect(response.status).toBe(429);
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
}

async function registered(server: TestServer): Promise<{ email: string; accessToken: string }> {
  const email = uniqueEmail('concurrency');
  const response = await call(server, 'auth.register', {
    input: { email, password: STRONG_PASSWORD, transport: 'body' },
  });
  return { email, accessToken: (response.data as { accessToken: string }).accessToken };
}

test(
  'case 48: 30 parallel wrong logins for one account → 10 verified, 20 refused with 429 and Retry-After',
  async ({ server }) => {
    const { email } = await registered(server);
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        call(server, 'auth.login', { input: { email, password: `wrong guess ${i}`, transport: 'body' } }),
      ),
    );
    const codes = responses.map((r) => r.error?.data.appCode);
    expect(codes.filter((code) => code === 'INVALID_CREDENTIALS')).toHaveLength(10);
    const refused = responses.filter((r) => r.error?.data.appCode === 'RATE_LIMITED');
    expect(refused).toHaveLength(20);
    for (const response of refused) expectRetryAfter(response);
  },
  LOGIN_TEST_TIMEOUT_MS,
);

test(
  'case 48: 30 wrong logins in one batch → 10 verified, 20 refused with a wait',
  async ({ server }) => {
    const { email } = await registered(server);
    const inputs = Array.from({ length: 30 }, (_, i) => ({ email, password: `batched guess ${i}`, transport: 'body' }));
    const { headers, items } = await batch(server, 'auth.login', inputs);
    const codes = appCodes(items);
    expect(codes.filter((code) => code === 'INVALID_CREDENTIALS')).toHaveLength(10);
    expect(codes.filter((code) => code === 'RATE_LIMITED')).toHaveLength(20);
    expect(items.filter((item) => (item.error?.data?.retryAfterSeconds ?? 0) > 0)).toHaveLength(20);
    expect(Number(headers.get('retry-after'))).toBeGreaterThan(0);
  },
  LOGIN_TEST_TIMEOUT_MS,
);

test('case 50: a batch one call over the maximum is refused as a whole, before any call runs', async ({ server }) => {
  const { email } = await registered(server);
  const inputs = Array.from({ length: MAX_BATCH_SIZE + 1 }, () => ({ email, password: 'wrong', transport: 'body' }));
  const { status, items } = await batch(server, 'auth.login', inputs);
  expect(status).toBe(400);
  expect(JSON.stringify(items)).toContain('Batch call exceeds maximum size');
  // Nothing ran: the account's ten attempts are all still there.
  const login = await call(server, 'auth.login', { input: { email, password: STRONG_PASSWORD, transport: 'body' } });
  expect(login.status).toBe(200);
});

test('saveApiKey: 30 parallel saves → the provider is asked 10 times, the rest 429 (hole 11)', async ({ server }) => {
  const { accessToken } = await registered(server);
  const responses = await Promise.all(
    Array.from({ length: 30 }, () =>
      call(server, 'settings.saveApiKey', { accessToken, input: { provider: 'openrouter', apiKey: KEY } }),
    ),
  );
  expect(responses.filter((r) => r.status === 200)).toHaveLength(10);
  const refused = responses.filter((r) => r.error?.data.appCode === 'RATE_LIMITED');
  expect(refused).toHaveLength(20);
  for (const response of refused) expectRetryAfter(response);
});

test('saveApiKey: 30 saves in one batch → 10 checked with the provider, 20 refused (hole 11)', async ({ server }) => {
  const { accessToken } = await registered(server);
  const inputs = Array.from({ length: 30 }, () => ({ provider: 'openrouter', apiKey: KEY }));
  const { items } = await batch(server, 'settings.saveApiKey', inputs, accessToken);
  const codes = appCodes(items);
  expect(codes.filter((code) => code === 'ok')).toHaveLength(10);
  expect(codes.filter((code) => code === 'RATE_LIMITED')).toHaveLength(20);
});

/** A signed-in user with a saved key and a conversation, ready to start runs. */
async function readyToRun(server: TestServer) {
  const { accessToken } = await registered(server);
  await call(server, 'settings.saveApiKey', { accessToken, input: { provider: 'openrouter', apiKey: KEY } });
  const created = await call(server, 'conversations.create', { accessToken, input: {} });
  return { accessToken, conversationId: (created.data as { id: string }).id };
}

/** Every model of the default council hangs: a run that started stays live until it is cancelled. */
function hangEveryModel(upstream: FakeUpstream, server: TestServer): void {
  for (const model of server.config.api.council.models) upstream.setBehavior(model, { hang: true });
}

async function liveRunsOf(server: TestServer, accessToken: string): Promise<number> {
  const me = await call(server, 'auth.me', { type: 'query', accessToken });
  const userId = (me.data as { id: string }).id;
  const row = await server.db
    .selectFrom('councilRuns')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('userId', '=', userId)
    .where('status', 'in', ['queued', 'running'])
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

test('case 52: 10 council.start in one batch → exactly the limit of runs start, the rest RUN_LIMIT_REACHED', async ({
  server,
  upstream,
}) => {
  hangEveryModel(upstream, server);
  const { accessToken, conversationId } = await readyToRun(server);
  const inputs = Array.from({ length: 10 }, (_, i) => ({ conversationId, content: `batched question ${i}` }));
  const { items } = await batch(server, 'council.start', inputs, accessToken);
  const codes = appCodes(items);
  const limit = server.config.api.council.maxConcurrentRunsPerUser;
  expect(codes.filter((code) => code === 'ok')).toHaveLength(limit);
  expect(codes.filter((code) => code === 'RUN_LIMIT_REACHED')).toHaveLength(10 - limit);
  expect(await liveRunsOf(server, accessToken)).toBe(limit);
});

test('case 52: 10 parallel council.start → exactly the limit of runs start, the rest 429 RUN_LIMIT_REACHED', async ({
  server,
  upstream,
}) => {
  hangEveryModel(upstream, server);
  const { accessToken, conversationId } = await readyToRun(server);
  const responses = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      call(server, 'council.start', { accessToken, input: { conversationId, content: `parallel question ${i}` } }),
    ),
  );
  const limit = server.config.api.council.maxConcurrentRunsPerUser;
  expect(responses.filter((r) => r.status === 200)).toHaveLength(limit);
  const refused = responses.filter((r) => r.error?.data.appCode === 'RUN_LIMIT_REACHED');
  expect(refused).toHaveLength(10 - limit);
  for (const response of refused) expect(response.status).toBe(429);
  expect(await liveRunsOf(server, accessToken)).toBe(limit);
});
