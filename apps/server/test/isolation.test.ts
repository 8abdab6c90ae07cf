import { sql } from 'kysely';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { CouncilClient } from '@llm-council/sdk';
import { call, expectError, failureOf } from './helpers/http.js';
import { registerUser, startTestServer, type TestServer } from './helpers/test-server.js';

// Security cases 25, 27, 28, 36 (titles), 37 and 38, plus the conversation list's pagination:
// every query is scoped to the caller, and odd input is either stored verbatim or refused clearly.

let server: TestServer;
let alice: { client: CouncilClient; userId: string };
let bob: { client: CouncilClient; userId: string };

beforeAll(async () => {
  server = await startTestServer();
  alice = await registerUser(server);
  bob = await registerUser(server);
});
afterAll(async () => {
  await server.close();
});

async function rowOf(id: string) {
  return server.db
    .selectFrom('conversations')
    .select(['id', 'userId', 'title', 'updatedAt'])
    .where('id', '=', id)
    .executeTakeFirst();
}

/** A message row in a conversation (the council router is what writes them in the app). */
async function addMessage(conversationId: string, position: number, content = `message ${position}`) {
  await server.db
    .insertInto('messages')
    .values({ conversationId, role: position % 2 ? 'assistant' : 'user', content, position })
    .execute();
}

test("another user's conversation is NOT_FOUND for get, rename and delete, exactly like a missing one", async () => {
  const secret = await alice.client.conversations.create.mutate({ title: 'Alice private plans' });
  await addMessage(secret.id, 0, 'the secret itself');
  const before = await rowOf(secret.id);

  const missing = await failureOf(bob.client.conversations.get.query({ id: crypto.randomUUID() }));
  const get = await failureOf(bob.client.conversations.get.query({ id: secret.id }));
  const rename = await failureOf(bob.client.conversations.rename.mutate({ id: secret.id, title: 'pwned' }));
  const remove = await failureOf(bob.client.conversations.delete.mutate({ id: secret.id }));
  for (const failure of [get, rename, remove]) {
    expect(failure.code).toBe('NOT_FOUND');
    expect(failure.message).toBe(missing.message);
  }
  expect(JSON.stringify(server.responseBodies.slice(-4))).not.toContain('the secret itself');

  expect(await rowOf(secret.id)).toEqual(before);
  const bobsList = await bob.client.conversations.list.query();
  expect(bobsList.items.map((c) => c.id)).not.toContain(secret.id);
  const own = await alice.client.conversations.get.query({ id: secret.id });
  expect(own.messages.map((m) => m.content)).toEqual(['the secret itself']);
});

test('a userId smuggled into an input is refused and never reaches the other account', async () => {
  const before = await alice.client.conversations.list.query();
  const accessToken = (await bob.client.getAccessToken()) ?? '';
  const create = await call(server, 'conversations.create', {
    accessToken,
    input: { title: 'planted', userId: alice.userId },
  });
  expect(expectError(create, 'BAD_REQUEST').message).toContain('userId');

  const aliceConversation = before.items[0] ?? (await alice.client.conversations.create.mutate({ title: 'mine' }));
  const rename = await call(server, 'conversations.rename', {
    accessToken,
    input: { id: aliceConversation.id, title: 'renamed by bob', userId: alice.userId },
  });
  expectError(rename, 'BAD_REQUEST');

  const list = await call(server, 'conversations.list', {
    type: 'query',
    accessToken,
    input: { userId: alice.userId },
  });
  expectError(list, 'BAD_REQUEST');

  const after = await alice.client.conversations.list.query();
  expect(after.items.map((c) => c.title)).not.toContain('planted');
  expect((await rowOf(aliceConversation.id))?.title).toBe(aliceConversation.title);
});

test('a non-UUID or 10 kB id is BAD_REQUEST naming the id, never a server error', async () => {
  const accessToken = (await alice.client.getAccessToken()) ?? '';
  for (const id of ['42', "' OR 1=1 --", 'x'.repeat(10_000), `${crypto.randomUUID()}x`, '']) {
    const get = await call(server, 'conversations.get', { type: 'query', accessToken, input: { id } });
    expect(Object.keys(expectError(get, 'BAD_REQUEST').data.fieldErrors ?? {})).toEqual(['id']);
    for (const path of ['conversations.rename', 'conversations.delete']) {
      const response = await call(server, path, { accessToken, input: { id, title: 'x' } });
      expect(expectError(response, 'BAD_REQUEST').data.fieldErrors).toHaveProperty('id');
    }
  }
  const wrongType = await call(server, 'conversations.get', { type: 'query', accessToken, input: { id: 12345 } });
  expectError(wrongType, 'BAD_REQUEST');
});

test('a forged or garbage list cursor is BAD_REQUEST, never a server error', async () => {
  const accessToken = (await alice.client.getAccessToken()) ?? '';
  const forged = Buffer.from(`2024-01-01T00:00:00.000Z|' OR 1=1 --`).toString('base64url');
  for (const cursor of ['%%%', 'bm90IGEgY3Vyc29y', forged, 'A'.repeat(201)]) {
    const response = await call(server, 'conversations.list', { type: 'query', accessToken, input: { cursor } });
    expectError(response, 'BAD_REQUEST');
  }
});

test('titles up to 200 characters are accepted; 201, empty or blank titles are BAD_REQUEST', async () => {
  const title = 'T'.repeat(200);
  const created = await alice.client.conversations.create.mutate({ title });
  expect(created.title).toBe(title);
  for (const bad of ['T'.repeat(201), '', '   ']) {
    const create = await failureOf(alice.client.conversations.create.mutate({ title: bad }));
    expect(create.code).toBe('BAD_REQUEST');
    expect(create.fieldErrors).toHaveProperty('title');
    const rename = await failureOf(alice.client.conversations.rename.mutate({ id: created.id, title: bad }));
    expect(rename.code).toBe('BAD_REQUEST');
  }
  expect((await rowOf(created.id))?.title).toBe(title);
});

test('SQL, LIKE wildcards, quotes and emoji in titles are stored and returned verbatim', async () => {
  const titles = [
    "'; DROP TABLE users;--",
    '100% of _everything_',
    '%',
    '_',
    'Robert"); DELETE FROM conversations; --',
    '🦊 ünïcödé 漢字 \u202Eevil',
    'back\\slash $1 ${x} {{x}}',
  ];
  for (const title of titles) {
    const created = await alice.client.conversations.create.mutate({ title });
    expect(created.title).toBe(title);
    expect((await alice.client.conversations.get.query({ id: created.id })).title).toBe(title);
    expect((await rowOf(created.id))?.title).toBe(title);
    const renamed = await alice.client.conversations.rename.mutate({ id: created.id, title: `${title} (2)` });
    expect(renamed.title).toBe(`${title} (2)`);
  }
  const listed = await alice.client.conversations.list.query({ limit: 100 });
  for (const title of titles) expect(listed.items.map((c) => c.title)).toContain(`${title} (2)`);
  const users = await sql<{ n: number }>`select count(*)::int as n from users`.execute(server.db);
  expect(users.rows[0]?.n).toBeGreaterThanOrEqual(2);
});

test('a NUL character in a title is refused as BAD_REQUEST, not a server error', async () => {
  const failure = await failureOf(alice.client.conversations.create.mutate({ title: 'before\u0000after' }));
  expect(failure.code).toBe('BAD_REQUEST');
  expect(failure.fieldErrors).toHaveProperty('title');
});

test('__proto__ and constructor keys in inputs have no effect', async () => {
  const accessToken = (await alice.client.getAccessToken()) ?? '';
  const bodies = [
    '{"title":"proto","__proto__":{"polluted":"yes","userId":"x"}}',
    '{"title":"ctor","constructor":{"prototype":{"polluted":"yes"}}}',
  ];
  for (const rawBody of bodies) {
    const response = await call(server, 'conversations.create', { accessToken, rawBody });
    expect([200, 400]).toContain(response.status);
    if (response.status === 200) {
      const created = response.data as { id: string };
      expect((await rowOf(created.id))?.userId).toBe(alice.userId);
    }
  }
  const probe: Record<string, unknown> = {};
  expect(probe['polluted']).toBeUndefined();
  expect(Object.prototype).not.toHaveProperty('polluted');
  expect((await alice.client.conversations.list.query({ limit: 5 })).items.length).toBeGreaterThan(0);
});

test('the list pages newest first with a cursor and counts messages', async () => {
  const carol = await registerUser(server);
  const ids: string[] = [];
  for (let i = 1; i <= 5; i++) ids.push((await carol.client.conversations.create.mutate({ title: `c${i}` })).id);
  for (let position = 0; position < 3; position++) await addMessage(ids[1] ?? '', position);

  const seen: { title: string; messageCount: number }[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page: Awaited<ReturnType<typeof carol.client.conversations.list.query>> =
      await carol.client.conversations.list.query({ limit: 2, cursor });
    expect(page.items.length).toBeLessThanOrEqual(2);
    seen.push(...page.items.map((c) => ({ title: c.title, messageCount: c.messageCount })));
    cursor = page.nextCursor;
    pages++;
  } while (cursor && pages < 10);
  expect(pages).toBe(3);
  expect(seen).toEqual([
    { title: 'c5', messageCount: 0 },
    { title: 'c4', messageCount: 0 },
    { title: 'c3', messageCount: 0 },
    { title: 'c2', messageCount: 3 },
    { title: 'c1', messageCount: 0 },
  ]);

  // Activity moves a conversation to the top.
  await carol.client.conversations.rename.mutate({ id: ids[0] ?? '', title: 'c1 renamed' });
  const first = await carol.client.conversations.list.query({ limit: 1 });
  expect(first.items.map((c) => c.title)).toEqual(['c1 renamed']);
});

test('paging returns every conversation exactly once even when several share a timestamp', async () => {
  const dave = await registerUser(server);
  const created: string[] = [];
  for (let i = 0; i < 6; i++) created.push((await dave.client.conversations.create.mutate({ title: `d${i}` })).id);
  // Same millisecond, different microseconds, and exact ties: what bursts of activity produce.
  const stamps = [
    '2030-01-01T00:00:00.123456Z',
    '2030-01-01T00:00:00.123100Z',
    '2030-01-01T00:00:00.123100Z',
    '2030-01-01T00:00:00.123000Z',
    '2030-01-01T00:00:00.122999Z',
    '2030-01-01T00:00:00.123456Z',
  ];
  for (const [i, id] of created.entries()) {
    await sql`update conversations set updated_at = ${stamps[i]}::timestamptz where id = ${id}`.execute(server.db);
  }
  const seen: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 10; pages++) {
    const page: Awaited<ReturnType<typeof dave.client.conversations.list.query>> =
      await dave.client.conversations.list.query({ limit: 1, cursor });
    seen.push(...page.items.map((c) => c.id));
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  expect([...seen].sort()).toEqual([...created].sort());
  expect(new Set(seen).size).toBe(created.length);
});
