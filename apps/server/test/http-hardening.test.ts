import { sql } from 'kysely';
import { expect } from 'vitest';
import { MAX_BATCH_SIZE } from '@llm-council/api/constants';
import { serverTest } from './helpers/fixtures.js';
import { call, expectError, toRawResponse } from './helpers/http.js';
import { STRONG_PASSWORD, registerUser, startTestServer, uniqueEmail, type TestServer } from './helpers/test-server.js';

// Security cases 23, 35, 39 and 40, plus the response headers helmet sets: the HTTP edge
// refuses what a browser attacker can send, and never tells an outsider about internals.

const ALLOWED_ORIGIN = 'https://app.example';

const test = serverTest({ env: { CORS_ORIGINS: ALLOWED_ORIGIN } }).extend(
  'alice',
  { scope: 'file' },
  async ({ server }) => {
    const alice = await registerUser(server);
    return { ...alice, accessToken: (await alice.client.getAccessToken()) ?? '' };
  },
);

async function conversationCount(server: TestServer, userId: string): Promise<number> {
  const rows = await server.db.selectFrom('conversations').select('id').where('userId', '=', userId).execute();
  return rows.length;
}

test('a cross-site text/plain or form POST to a mutation is refused with 415 and changes nothing', async ({
  server,
  alice,
}) => {
  const before = await conversationCount(server, alice.userId);
  for (const contentType of [
    'text/plain',
    'text/plain;charset=UTF-8',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/jsonx',
  ]) {
    const response = await call(server, 'conversations.create', {
      accessToken: alice.accessToken,
      headers: { 'Content-Type': contentType, Origin: 'https://evil.example' },
      rawBody: JSON.stringify({ title: 'csrf' }),
    });
    expect(response.status, contentType).toBe(415);
  }
  const noType = await fetch(`${server.url}/trpc/conversations.create`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${alice.accessToken}` },
    body: new Uint8Array(Buffer.from('{"title":"csrf"}')),
  });
  expect(noType.status).toBe(415);
  expect(await conversationCount(server, alice.userId)).toBe(before);
});

test('a cross-site text/plain logout carrying the refresh cookie is refused and the session survives', async ({
  server,
}) => {
  const registered = await call(server, 'auth.register', {
    input: { email: uniqueEmail('victim'), password: STRONG_PASSWORD, transport: 'cookie' },
  });
  const cookie = registered.cookies['llmc_refresh'] ?? '';
  const forged = await call(server, 'auth.logout', {
    headers: { 'Content-Type': 'text/plain', Cookie: `llmc_refresh=${cookie}`, Origin: 'https://evil.example' },
    rawBody: JSON.stringify({ transport: 'cookie' }),
  });
  expect(forged.status).toBe(415);
  const refresh = await call(server, 'auth.refresh', {
    input: { transport: 'cookie' },
    headers: { Cookie: `llmc_refresh=${cookie}`, Origin: server.url },
  });
  expect(refresh.status).toBe(200);
});

test('JSON with a charset parameter is accepted', async ({ server, alice }) => {
  const response = await call(server, 'conversations.create', {
    accessToken: alice.accessToken,
    contentType: 'application/json; charset=utf-8',
    input: { title: 'with charset' },
  });
  expect(response.status).toBe(200);
});

test('a mutation sent as GET is refused and has no effect', async ({ server, alice }) => {
  const before = await conversationCount(server, alice.userId);
  const response = await fetch(
    `${server.url}/trpc/conversations.create?input=${encodeURIComponent(JSON.stringify({ title: 'via GET' }))}`,
    { headers: { Authorization: `Bearer ${alice.accessToken}` } },
  );
  expect(response.status).toBe(405);
  expect(await conversationCount(server, alice.userId)).toBe(before);
});

test('a 1 MB request body is refused with 413 and a generic message', async ({ server, alice }) => {
  const huge = JSON.stringify({ title: 'x'.repeat(1024 * 1024) });
  for (const path of ['conversations.create', 'auth.login']) {
    const response = await call(server, path, { accessToken: alice.accessToken, rawBody: huge });
    expect(response.status).toBe(413);
    expect(response.text.length).toBeLessThan(2000);
    expect(response.text).not.toMatch(/ at |node_modules|\.ts:|stack/);
    expect(response.error?.message ?? response.text).toMatch(/too.large/i);
  }
});

test('foreign and null Origins get no Access-Control-Allow-Origin; an allowlisted one gets exactly itself', async ({
  server,
}) => {
  const preflight = (origin: string) =>
    fetch(`${server.url}/trpc/conversations.create`, {
      method: 'OPTIONS',
      headers: {
        Origin: origin,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type,authorization',
      },
    });
  const simple = (origin: string) => fetch(`${server.url}/healthz`, { headers: { Origin: origin } });

  for (const origin of ['https://evil.example', 'null', `${ALLOWED_ORIGIN}.evil.example`, 'https://APP.example/']) {
    for (const response of [await preflight(origin), await simple(origin)]) {
      expect(response.headers.get('access-control-allow-origin'), origin).toBeNull();
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    }
  }
  for (const response of [await preflight(ALLOWED_ORIGIN), await simple(ALLOWED_ORIGIN)]) {
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('vary')).toMatch(/origin/i);
  }
});

test('responses carry the security headers: CSP, no framing, no sniffing, no X-Powered-By', async ({ server }) => {
  const response = await fetch(`${server.url}/healthz`);
  const csp = response.headers.get('content-security-policy') ?? '';
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("base-uri 'none'");
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(response.headers.get('x-powered-by')).toBeNull();
  expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
});

test('a database error in production answers with a generic message and a request id, no SQL and no stack', async () => {
  const production = await startTestServer({ env: { NODE_ENV: 'production', REGISTRATION: 'open' } });
  try {
    const user = await registerUser(production);
    const token = (await user.client.getAccessToken()) ?? '';
    await sql`drop table messages, conversations cascade`.execute(production.db);

    const response = await call(production, 'conversations.list', { type: 'query', accessToken: token });
    expect(response.status).toBe(500);
    const error = expectError(response, 'INTERNAL_SERVER_ERROR');
    expect(error.message).toBe('Something went wrong on our side. Please try again.');
    expect(error.data.appCode).toBe('INTERNAL');
    expect(error.data.requestId).toBe(response.headers.get('x-request-id'));
    expect(error.data.stack).toBeUndefined();
    expect(response.text).not.toMatch(/conversations"|relation|select |sql|stack|node_modules|\.ts:\d/i);

    // The operator can find the real cause in the log by the request id the user reports.
    const logged = production.logs.filter((line) => line.includes(error.data.requestId ?? '-'));
    expect(logged.some((line) => /conversations/.test(line) && line.includes('"level":50'))).toBe(true);

    // The same for a mutation, read through the SDK.
    const failure = await user.client.conversations.create.mutate({ title: 'x' }).then(
      () => null,
      (e: unknown) => e as Error & { data?: { requestId?: string } },
    );
    expect(failure?.message).toBe('Something went wrong on our side. Please try again.');
    expect(failure?.data?.requestId).toMatch(/^[0-9a-f-]{36}$/);
  } finally {
    await production.close();
  }
});

test('readiness reports a broken database as 503 naming the check, without details; liveness stays 200', async () => {
  const broken = await startTestServer({ env: { NODE_ENV: 'production', REGISTRATION: 'open' } });
  try {
    await broken.dbHandle.close();
    const response = await toRawResponse(broken, await fetch(`${broken.url}/readyz`));
    expect(response.status).toBe(503);
    const failing = broken.dbHandle.engine === 'pglite' ? 'embedded-database' : 'database';
    expect(JSON.parse(response.text)).toEqual({ status: 'unavailable', failing });
    expect((await fetch(`${broken.url}/healthz`)).status).toBe(200);
  } finally {
    await broken.close().catch(() => undefined);
  }
});

test('__proto__ and constructor keys in a raw JSON body have no effect', async ({ server, alice }) => {
  const bodies = [
    '{"title":"proto","__proto__":{"polluted":"yes","userId":"x"}}',
    '{"title":"ctor","constructor":{"prototype":{"polluted":"yes"}}}',
  ];
  for (const rawBody of bodies) {
    const response = await call(server, 'conversations.create', { accessToken: alice.accessToken, rawBody });
    expect([200, 400]).toContain(response.status);
    if (response.status === 200) {
      const { id } = response.data as { id: string };
      const row = await server.db.selectFrom('conversations').select('userId').where('id', '=', id).executeTakeFirst();
      expect(row?.userId).toBe(alice.userId);
    }
  }
  const probe: Record<string, unknown> = {};
  expect(probe['polluted']).toBeUndefined();
  expect(Object.prototype).not.toHaveProperty('polluted');
});

test('a non-bearer Authorization header is no session: UNAUTHORIZED, not a server error', async ({ server }) => {
  const basic = await call(server, 'auth.me', {
    type: 'query',
    headers: { Authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
  });
  expect(expectError(basic, 'UNAUTHORIZED').data.appCode).toBe('SESSION_EXPIRED');
});

test('a batch of more than MAX_BATCH_SIZE calls is refused whole with 400; the SDK splits larger batches itself', async ({
  server,
  alice,
}) => {
  const batchOf = (count: number) =>
    fetch(`${server.url}/trpc/${Array(count).fill('auth.me').join(',')}?batch=1`, {
      headers: { Authorization: `Bearer ${alice.accessToken}` },
    });
  const refused = await batchOf(MAX_BATCH_SIZE + 1);
  expect(refused.status).toBe(400);
  expect(await refused.text()).toMatch(/Batch call exceeds maximum size/);
  const accepted = await batchOf(MAX_BATCH_SIZE);
  expect(accepted.status).toBe(200);
  expect((await accepted.json()) as unknown[]).toHaveLength(MAX_BATCH_SIZE);
  // The same number of calls and more in one tick through the SDK all succeed: its link batches at most MAX_BATCH_SIZE.
  const profiles = await Promise.all(
    Array.from({ length: MAX_BATCH_SIZE * 2 + 1 }, () => alice.client.auth.me.query()),
  );
  expect(new Set(profiles.map((p) => p.email)).size).toBe(1);
});
