import { sql } from 'kysely';
import { expect } from 'vitest';
import { TITLE_MAX_LENGTH } from '../constants.js';
import { createConversation } from '../testing/factories.js';
import { failureOf } from '../testing/failure-of.js';
import { apiTest as test, type TestApi } from '../testing/test-api.js';

// Security cases 25, 27, 28, 36 (titles), 37 and 38, plus the conversation list's pagination:
// every query is scoped to the caller, and odd input is either stored verbatim or refused clearly.
// (What needs HTTP — raw JSON bodies with __proto__ keys — is in apps/server/test/http-hardening.)

function rowOf(api: TestApi, id: string) {
  return api.db
    .selectFrom('conversations')
    .select(['id', 'userId', 'title', 'updatedAt'])
    .where('id', '=', id)
    .executeTakeFirst();
}

/** A message row in a conversation (the council router is what writes them in the app). */
async function addMessage(api: TestApi, conversationId: string, position: number, content = `message ${position}`) {
  await api.db
    .insertInto('messages')
    .values({ conversationId, role: position % 2 ? 'assistant' : 'user', content, position })
    .execute();
}

test("another user's conversation is NOT_FOUND for get, rename and delete, exactly like a missing one", async ({
  api,
}) => {
  const alice = await api.signUp();
  const bob = await api.signUp();
  const secret = await createConversation(api.db, alice.user.id, { title: 'Alice private plans' });
  await addMessage(api, secret.id, 0, 'the secret itself');
  const before = await rowOf(api, secret.id);

  const missing = await failureOf(bob.caller.conversations.get({ id: crypto.randomUUID() }));
  const failures = [
    await failureOf(bob.caller.conversations.get({ id: secret.id })),
    await failureOf(bob.caller.conversations.rename({ id: secret.id, title: 'pwned' })),
    await failureOf(bob.caller.conversations.delete({ id: secret.id })),
  ];
  for (const failure of failures) expect(failure).toEqual(missing);
  expect(missing.code).toBe('NOT_FOUND');
  expect(JSON.stringify(failures)).not.toContain('the secret itself');

  expect(await rowOf(api, secret.id)).toEqual(before);
  const bobsList = await bob.caller.conversations.list();
  expect(bobsList.items.map((c) => c.id)).not.toContain(secret.id);
  const own = await alice.caller.conversations.get({ id: secret.id });
  expect(own.messages.map((m) => m.content)).toEqual(['the secret itself']);
});

test('a userId smuggled into an input is refused and never reaches the other account', async ({ api }) => {
  const alice = await api.signUp();
  const bob = await api.signUp();
  const mine = await createConversation(api.db, alice.user.id, { title: 'mine' });

  // Inputs are strict objects: an unknown key is a BAD_REQUEST naming it, not silently dropped.
  const create = await failureOf(bob.caller.conversations.create({ title: 'planted', userId: alice.user.id } as never));
  expect(create.code).toBe('BAD_REQUEST');
  expect(create.message).toContain('userId');
  const rename = await failureOf(
    bob.caller.conversations.rename({ id: mine.id, title: 'renamed by bob', userId: alice.user.id } as never),
  );
  expect(rename.code).toBe('BAD_REQUEST');
  const list = await failureOf(bob.caller.conversations.list({ userId: alice.user.id } as never));
  expect(list.code).toBe('BAD_REQUEST');

  const after = await alice.caller.conversations.list();
  expect(after.items.map((c) => c.title)).toEqual(['mine']);
  expect((await bob.caller.conversations.list()).items).toEqual([]);
  expect((await rowOf(api, mine.id))?.title).toBe('mine');
});

test('a non-UUID or 10 kB id is BAD_REQUEST naming the id, never a server error', async ({ api }) => {
  const { caller } = await api.signUp();
  for (const id of ['42', "' OR 1=1 --", 'x'.repeat(10_000), `${crypto.randomUUID()}x`, '']) {
    const get = await failureOf(caller.conversations.get({ id }));
    expect(get.code).toBe('BAD_REQUEST');
    expect(Object.keys(get.fieldErrors ?? {})).toEqual(['id']);
    for (const failure of [
      await failureOf(caller.conversations.rename({ id, title: 'x' })),
      await failureOf(caller.conversations.delete({ id })),
    ]) {
      expect(failure.code).toBe('BAD_REQUEST');
      expect(failure.fieldErrors).toHaveProperty('id');
    }
  }
  const wrongType = await failureOf(caller.conversations.get({ id: 12345 } as never));
  expect(wrongType.code).toBe('BAD_REQUEST');
});

test('a forged or garbage list cursor is BAD_REQUEST, never a server error', async ({ api }) => {
  const { caller } = await api.signUp();
  const forged = Buffer.from(`2024-01-01T00:00:00.000Z|' OR 1=1 --`).toString('base64url');
  for (const cursor of ['%%%', 'bm90IGEgY3Vyc29y', forged, 'A'.repeat(201)]) {
    expect((await failureOf(caller.conversations.list({ cursor }))).code).toBe('BAD_REQUEST');
  }
});

test(`titles up to ${TITLE_MAX_LENGTH} characters are accepted; longer, empty or blank titles are BAD_REQUEST`, async ({
  api,
}) => {
  const { caller } = await api.signUp();
  const title = 'T'.repeat(TITLE_MAX_LENGTH);
  const created = await caller.conversations.create({ title });
  expect(created.title).toBe(title);
  for (const bad of ['T'.repeat(TITLE_MAX_LENGTH + 1), '', '   ']) {
    const create = await failureOf(caller.conversations.create({ title: bad }));
    expect(create.code).toBe('BAD_REQUEST');
    expect(create.fieldErrors).toHaveProperty('title');
    const rename = await failureOf(caller.conversations.rename({ id: created.id, title: bad }));
    expect(rename.code).toBe('BAD_REQUEST');
  }
  expect((await rowOf(api, created.id))?.title).toBe(title);
});

test('SQL, LIKE wildcards, quotes and emoji in titles are stored and returned verbatim', async ({ api }) => {
  const { caller } = await api.signUp();
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
    const created = await caller.conversations.create({ title });
    expect(created.title).toBe(title);
    expect((await caller.conversations.get({ id: created.id })).title).toBe(title);
    expect((await rowOf(api, created.id))?.title).toBe(title);
    const renamed = await caller.conversations.rename({ id: created.id, title: `${title} (2)` });
    expect(renamed.title).toBe(`${title} (2)`);
  }
  const listed = await caller.conversations.list({ limit: 100 });
  expect(listed.items.map((c) => c.title).sort()).toEqual(titles.map((t) => `${t} (2)`).sort());
  const users = await sql<{ n: number }>`select count(*)::int as n from users`.execute(api.db);
  expect(users.rows[0]?.n).toBeGreaterThanOrEqual(1);
});

test('a NUL character in a title is refused as BAD_REQUEST, not a server error', async ({ api }) => {
  const { caller } = await api.signUp();
  const failure = await failureOf(caller.conversations.create({ title: 'before\u0000after' }));
  expect(failure.code).toBe('BAD_REQUEST');
  expect(failure.fieldErrors).toHaveProperty('title');
});

test('the list pages newest first with a cursor and counts messages', async ({ api }) => {
  const { caller } = await api.signUp();
  const ids: string[] = [];
  for (let i = 1; i <= 5; i++) ids.push((await caller.conversations.create({ title: `c${i}` })).id);
  for (let position = 0; position < 3; position++) await addMessage(api, ids[1] ?? '', position);

  const seen: { title: string; messageCount: number }[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page: Awaited<ReturnType<typeof caller.conversations.list>> = await caller.conversations.list({
      limit: 2,
      cursor,
    });
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
  await caller.conversations.rename({ id: ids[0] ?? '', title: 'c1 renamed' });
  const first = await caller.conversations.list({ limit: 1 });
  expect(first.items.map((c) => c.title)).toEqual(['c1 renamed']);
});

test('paging returns every conversation exactly once even when several share a timestamp', async ({ api }) => {
  const { user, caller } = await api.signUp();
  const created: string[] = [];
  for (let i = 0; i < 6; i++) created.push((await createConversation(api.db, user.id, { title: `d${i}` })).id);
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
    await sql`update conversations set updated_at = ${stamps[i]}::timestamptz where id = ${id}`.execute(api.db);
  }
  const seen: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 10; pages++) {
    const page: Awaited<ReturnType<typeof caller.conversations.list>> = await caller.conversations.list({
      limit: 1,
      cursor,
    });
    seen.push(...page.items.map((c) => c.id));
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  expect([...seen].sort()).toEqual([...created].sort());
  expect(new Set(seen).size).toBe(created.length);
});
