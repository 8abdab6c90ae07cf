import { request } from 'node:http';
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { serverTest } from './helpers/fixtures.js';
import { call, expectError } from './helpers/http.js';
import { registerUser } from './helpers/test-server.js';

// Issue 17, section 2: "the body limit cannot be borrowed" (security case 77). On main before this
// change `/trpc/conversations.import,auth.login?batch=1` was given the 20 MiB import limit for the
// whole batch, and an import's body was read and parsed before anyone checked who sent it: the
// batch test got 400/200 answers instead of 413, the declared-length test waited for bytes that
// never came (a timeout), and the SDK batched an import with other calls. The signed-out import
// test passed on main too, but only because tRPC 11 happens to read an input after the
// procedure's middlewares; the host now checks the session itself before choosing the limit.

const test = serverTest();

const MiB = 1024 * 1024;

/** An export document of one conversation whose question is `bytes` long. */
function exportOf(bytes: number) {
  const questionId = randomUUID();
  const at = '2026-01-01T00:00:00.000Z';
  return {
    format: 'llm-council-export',
    version: 1,
    exportedAt: at,
    conversations: [
      {
        id: randomUUID(),
        title: 'Big',
        councilModels: null,
        chairmanModel: null,
        createdAt: at,
        updatedAt: at,
        importedAt: null,
        messages: [{ id: questionId, role: 'user', content: 'q'.repeat(bytes), createdAt: at }],
        runs: [],
      },
    ],
  };
}

/**
 * Sends the headers and the first bytes of a body that claims to be `declaredBytes` long and never
 * sends the rest: an answer can only come from a server that decided without reading the body.
 */
function answerBeforeBody(url: string, path: string, declaredBytes: number, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: unknown }>((resolve, reject) => {
    const req = request(
      `${url}/trpc/${path}`,
      {
        method: 'POST',
        headers: { ...headers, 'Content-Type': 'application/json', 'Content-Length': String(declaredBytes) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown });
          req.destroy();
        });
      },
    );
    req.on('error', reject);
    req.write('{"0":{"data":{"format":"llm-council-export"');
  });
}

test('case 77: a batch naming conversations.import and auth.login gets the sign-in body limit, not the import one', async ({
  server,
}) => {
  const { client } = await registerUser(server);
  const accessToken = (await client.getAccessToken()) ?? '';
  const body = JSON.stringify({ 0: { data: exportOf(MiB) }, 1: { email: 'a@example.com', password: 'x'.repeat(10) } });
  const response = await fetch(`${server.url}/trpc/conversations.import,auth.login?batch=1`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${accessToken}` },
    body,
  });
  expect(response.status).toBe(413);
  const results = (await response.json()) as { error: { data: { code: string; appCode: string; path: string } } }[];
  expect(results.map((r) => [r.error.data.path, r.error.data.code])).toEqual([
    ['conversations.import', 'PAYLOAD_TOO_LARGE'],
    ['auth.login', 'PAYLOAD_TOO_LARGE'],
  ]);
  expect(await client.conversations.list.query()).toMatchObject({ items: [] });

  // The same document alone is an import like any other.
  const alone = await call(server, 'conversations.import', { input: { data: exportOf(MiB) }, accessToken });
  expect(alone.status).toBe(200);
  expect((await client.conversations.list.query()).items).toHaveLength(1);
});

test('case 77: a declared body past the limit is refused before a byte of it is read', async ({ server }) => {
  const login = await answerBeforeBody(server.url, 'auth.login?batch=1', 2 * MiB);
  expect(login.status).toBe(413);
  expect(login.body).toMatchObject([{ error: { data: { code: 'PAYLOAD_TOO_LARGE', path: 'auth.login' } } }]);
  const hugeImport = await answerBeforeBody(server.url, 'conversations.import', server.config.api.importMaxBytes * 2);
  expect(hugeImport.status).toBe(413);
});

test('case 77: an import is signed in before its body is read: no token, a bad token, or a stale one', async ({
  server,
}) => {
  const declared = 10 * MiB;
  const anonymous = await answerBeforeBody(server.url, 'conversations.import', declared);
  expect(anonymous).toMatchObject({
    status: 401,
    body: { error: { data: { code: 'UNAUTHORIZED', appCode: 'SESSION_EXPIRED', path: 'conversations.import' } } },
  });
  const forged = await answerBeforeBody(server.url, 'conversations.import?batch=1', declared, {
    Authorization: 'Bearer not.a.jwt',
  });
  expect(forged).toMatchObject({ status: 401, body: [{ error: { data: { code: 'UNAUTHORIZED' } } }] });

  const { client } = await registerUser(server);
  const stale = (await client.getAccessToken()) ?? '';
  await client.auth.logoutAll.mutate();
  expect(
    await answerBeforeBody(server.url, 'conversations.import', declared, { Authorization: `Bearer ${stale}` }),
  ).toMatchObject({
    status: 401,
  });
});

test('the SDK sends an import on its own, so a large file and other calls made at the same time all succeed', async ({
  server,
}) => {
  const { client } = await registerUser(server);
  const [imported, list, me] = await Promise.all([
    client.conversations.import.mutate({ data: exportOf(1.5 * MiB) }),
    client.conversations.list.query(),
    client.auth.me.query(),
  ]);
  expect(imported.conversationIds).toHaveLength(1);
  expect(list.items).toEqual([]);
  expect(me.id).toBeDefined();
  expectError(await call(server, 'conversations.import', { input: { data: exportOf(10) } }), 'UNAUTHORIZED');
});
