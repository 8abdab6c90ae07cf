import { expect } from 'vitest';
import { ACCESS_TOKENS_PER_USER } from '../constants.js';
import { createConversation, TEST_PASSWORD } from '../testing/factories.js';
import { describeFailure, failureOf } from '../testing/failure-of.js';
import { apiTest as test, type TestApi } from '../testing/test-api.js';
import { deleteUser, disableUser, enableUser, type OperatorDeps } from '../operator/users-admin.service.js';
import { createPersonalAccessToken } from './personal-access-tokens.js';

// Security cases 67–70: personal access tokens are shown once and stored hashed, their cap holds
// under parallel creates, they act only within their scopes, never manage the account, stop at
// once when revoked, expired or their owner is disabled or deleted, and stay per user.

async function tokenFor(api: TestApi, scopes: ('read' | 'council')[], expiresInDays?: number | null) {
  const owner = await api.signUp();
  const name = `${scopes.join('+')} token`;
  const created = await owner.caller.tokens.create({ name, scopes, expiresInDays, password: TEST_PASSWORD });
  return { ...owner, created, viaToken: api.caller({ accessToken: created.token }) };
}

const usageRange = { from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' };

function operatorOf(api: TestApi): OperatorDeps {
  return { db: api.db, logger: { info() {}, warn() {}, error() {} }, now: api.now, config: api.config };
}

function tokenRow(api: TestApi, id: string) {
  return api.db.selectFrom('personalAccessTokens').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

test('case 67: a token is returned once, listed by its prefix only, and stored as a hash', async ({ api }) => {
  const { caller, created } = await tokenFor(api, ['read'], null);
  expect(created.token).toMatch(/^llmc_pat_[A-Za-z0-9_-]{43}$/);
  expect(created.token.startsWith(created.prefix)).toBe(true);

  const listed = await caller.tokens.list();
  expect(listed).toEqual([
    {
      id: created.id,
      name: 'read token',
      prefix: created.prefix,
      scopes: ['read'],
      expiresAt: null,
      lastUsedAt: null,
      createdAt: created.createdAt,
    },
  ]);
  expect(JSON.stringify(listed)).not.toContain(created.token);
  const row = await tokenRow(api, created.id);
  expect(JSON.stringify(row)).not.toContain(created.token.slice(created.prefix.length));
  expect(row.tokenHash).toMatch(/^[0-9a-f]{64}$/);
});

test('case 68: a read token lists, reads, searches, exports and reads usage, but cannot create, start, follow, retry or cancel a run', async ({
  api,
}) => {
  const { user, viaToken } = await tokenFor(api, ['read']);
  const conversation = await createConversation(api.db, user.id, { title: 'readable zeppelin' });

  expect((await viaToken.conversations.list()).items.map((c) => c.id)).toEqual([conversation.id]);
  expect((await viaToken.conversations.get({ id: conversation.id })).title).toBe('readable zeppelin');
  expect((await viaToken.conversations.search({ query: 'zeppelin' })).items.map((i) => i.conversationId)).toEqual([
    conversation.id,
  ]);
  expect((await viaToken.conversations.export({ id: conversation.id, format: 'markdown' })).content).toContain(
    'readable zeppelin',
  );
  expect(await viaToken.usage.summary({ ...usageRange, groupBy: 'day' })).toMatchObject({ rows: [] });
  expect(await viaToken.usage.topConversations(usageRange)).toEqual({ items: [], deletedConversations: null });

  // All at once, so every rejection is handled (and the refusals hold in parallel too).
  for (const failure of await Promise.all(
    [
      viaToken.council.start({ conversationId: conversation.id, content: 'hello' }),
      viaToken.conversations.create({}),
      viaToken.council.cancel({ runId: crypto.randomUUID() }),
      viaToken.council.retry({ runId: crypto.randomUUID() }),
      viaToken.council.events({ runId: crypto.randomUUID() }),
    ].map(failureOf),
  )) {
    expect(failure).toMatchObject({ code: 'FORBIDDEN', appCode: 'ACCESS_TOKEN_FORBIDDEN' });
  }
  expect(await api.db.selectFrom('councilRuns').select('id').execute()).toEqual([]);
});

test('case 68: a council token may start runs (refused here only for want of a key) but not read', async ({ api }) => {
  const { user, viaToken } = await tokenFor(api, ['council']);
  const conversation = await createConversation(api.db, user.id);
  expect(await failureOf(viaToken.council.start({ conversationId: conversation.id, content: 'hi' }))).toMatchObject({
    code: 'PRECONDITION_FAILED',
    appCode: 'NO_API_KEY',
  });
  // All at once, so every rejection is handled (and the refusals hold in parallel too).
  for (const failure of await Promise.all(
    [
      viaToken.conversations.list(),
      viaToken.conversations.get({ id: conversation.id }),
      viaToken.conversations.search({ query: 'anything' }),
      viaToken.conversations.export({ id: conversation.id, format: 'json' }),
      viaToken.usage.summary({ ...usageRange, groupBy: 'model' }),
      viaToken.usage.topConversations(usageRange),
    ].map(failureOf),
  )) {
    expect(failure).toMatchObject({ code: 'FORBIDDEN', appCode: 'ACCESS_TOKEN_FORBIDDEN' });
  }
});

test('case 69: no token changes the password, manages keys, tokens or sessions, exports the account or imports', async ({
  api,
}) => {
  const { user, created, viaToken } = await tokenFor(api, ['read', 'council']);
  const conversation = await createConversation(api.db, user.id, { title: 'kept' });
  const passwordBefore = await api.db
    .selectFrom('users')
    .select('passwordHash')
    .where('id', '=', user.id)
    .executeTakeFirstOrThrow();

  const attempts = {
    changePassword: viaToken.auth.changePassword({
      currentPassword: TEST_PASSWORD,
      newPassword: 'a brand new passphrase here',
      transport: 'body',
    }),
    accountChangePassword: viaToken.account.changePassword({
      currentPassword: TEST_PASSWORD,
      newPassword: 'a brand new passphrase here',
      transport: 'body',
    }),
    logoutAll: viaToken.auth.logoutAll(),
    me: viaToken.auth.me(),
    sessions: viaToken.account.sessions(),
    revokeSession: viaToken.account.revokeSession({ id: crypto.randomUUID() }),
    revokeOtherSessions: viaToken.account.revokeOtherSessions(),
    exportAll: viaToken.account.exportAll(),
    import: viaToken.conversations.import({ data: { title: 'x', messages: [] } }),
    saveApiKey: viaToken.settings.saveApiKey({ provider: 'openrouter', apiKey: 'sk-or-v1-0123456789abcdef' }),
    listApiKeys: viaToken.settings.listApiKeys(),
    deleteApiKey: viaToken.settings.deleteApiKey({ provider: 'openrouter' }),
    createToken: viaToken.tokens.create({ name: 'more', scopes: ['read'], password: TEST_PASSWORD }),
    listTokens: viaToken.tokens.list(),
    revokeToken: viaToken.tokens.revoke({ id: created.id }),
    rename: viaToken.conversations.rename({ id: conversation.id, title: 'renamed' }),
    delete: viaToken.conversations.delete({ id: conversation.id }),
  };
  const failures = await Promise.all(
    Object.entries(attempts).map(async ([name, attempt]) => ({ name, ...(await failureOf(attempt)) })),
  );
  for (const failure of failures) {
    expect(failure).toMatchObject({
      name: failure.name,
      code: 'FORBIDDEN',
      appCode: 'ACCESS_TOKEN_FORBIDDEN',
    });
  }
  const passwordAfter = await api.db
    .selectFrom('users')
    .select('passwordHash')
    .where('id', '=', user.id)
    .executeTakeFirstOrThrow();
  expect(passwordAfter).toEqual(passwordBefore);
  expect(await api.db.selectFrom('personalAccessTokens').select('id').where('userId', '=', user.id).execute()).toEqual([
    { id: created.id },
  ]);
  expect((await viaToken.conversations.get({ id: conversation.id })).title).toBe('kept');
  expect(await api.db.selectFrom('conversations').select('id').where('userId', '=', user.id).execute()).toHaveLength(1);
});

test('case 70: revoked, expired, unknown and malformed tokens are refused as ACCESS_TOKEN_INVALID', async ({ api }) => {
  const revoked = await tokenFor(api, ['read']);
  expect((await revoked.viaToken.conversations.list()).items).toEqual([]);
  await revoked.caller.tokens.revoke({ id: revoked.created.id });

  const expiring = await tokenFor(api, ['read'], 1);
  expect((await expiring.viaToken.conversations.list()).items).toEqual([]);

  api.advanceClock(86_400 + 1);
  try {
    const unknown = api.caller({ accessToken: `llmc_pat_${'A'.repeat(43)}` });
    const malformed = api.caller({ accessToken: 'llmc_pat_short' });
    for (const caller of [revoked.viaToken, expiring.viaToken, unknown, malformed]) {
      expect(await failureOf(caller.conversations.list())).toMatchObject({
        code: 'UNAUTHORIZED',
        appCode: 'ACCESS_TOKEN_INVALID',
      });
    }
    // Expired tokens stay listed (a user sees why a script stopped); revoked ones are gone.
    // (Fresh sessions: the day that passed expired the password sessions too.)
    const expiringOwner = await api.callerFor(expiring.user);
    expect((await expiringOwner.tokens.list()).map((t) => t.id)).toEqual([expiring.created.id]);
    expect(await (await api.callerFor(revoked.user)).tokens.list()).toEqual([]);
  } finally {
    api.advanceClock(-(86_400 + 1));
  }
});

test("case 70: a token acts only for its owner: another user's conversations are NOT_FOUND and never searched", async ({
  api,
}) => {
  const alice = await tokenFor(api, ['read', 'council']);
  const bob = await api.signUp();
  const bobs = await createConversation(api.db, bob.user.id, { title: 'private albatross' });
  const missing = crypto.randomUUID();

  for (const [name, attempt, absent] of [
    [
      'get',
      () => alice.viaToken.conversations.get({ id: bobs.id }),
      () => alice.viaToken.conversations.get({ id: missing }),
    ],
    [
      'export',
      () => alice.viaToken.conversations.export({ id: bobs.id, format: 'json' }),
      () => alice.viaToken.conversations.export({ id: missing, format: 'json' }),
    ],
    [
      'start',
      () => alice.viaToken.council.start({ conversationId: bobs.id, content: 'hi' }),
      () => alice.viaToken.council.start({ conversationId: missing, content: 'hi' }),
    ],
  ] as const) {
    const [theirs, nobodys] = await Promise.all([failureOf(attempt()), failureOf(absent())]);
    expect({ name, code: theirs.code }).toEqual({ name, code: 'NOT_FOUND' });
    expect(theirs).toEqual(nobodys);
  }
  expect((await alice.viaToken.conversations.search({ query: 'albatross' })).items).toEqual([]);
  expect((await alice.viaToken.conversations.list()).items).toEqual([]);
  expect(await api.db.selectFrom('councilRuns').select('id').execute()).toEqual([]);
});

test("case 70: another user's token id is NOT_FOUND to revoke, and the token keeps working", async ({ api }) => {
  const alice = await tokenFor(api, ['read']);
  const bob = await api.signUp();
  const mine = await failureOf(bob.caller.tokens.revoke({ id: crypto.randomUUID() }));
  const theirs = await failureOf(bob.caller.tokens.revoke({ id: alice.created.id }));
  expect(theirs).toEqual(mine);
  expect(theirs.code).toBe('NOT_FOUND');
  expect(await bob.caller.tokens.list()).toEqual([]);
  expect((await tokenRow(api, alice.created.id)).revokedAt).toBeNull();
  expect((await alice.viaToken.conversations.list()).items).toEqual([]);
});

test('case 70: a deleted user’s tokens are deleted with them and stop at once', async ({ api }) => {
  const { user, created, viaToken } = await tokenFor(api, ['read']);
  const other = await tokenFor(api, ['read']);
  await deleteUser(operatorOf(api), user.email);
  expect(await failureOf(viaToken.conversations.list())).toMatchObject({
    code: 'UNAUTHORIZED',
    appCode: 'ACCESS_TOKEN_INVALID',
  });
  expect(await api.db.selectFrom('personalAccessTokens').select('id').where('id', '=', created.id).execute()).toEqual(
    [],
  );
  expect((await other.viaToken.conversations.list()).items).toEqual([]);
});

test('case 70: a disabled user’s token is refused with ACCOUNT_DISABLED, for every scope, until enabled again', async ({
  api,
}) => {
  const { user, viaToken } = await tokenFor(api, ['read', 'council']);
  const conversation = await createConversation(api.db, user.id);
  await disableUser(operatorOf(api), user.email);
  // All at once, so every rejection is handled (and the refusals hold in parallel too).
  for (const failure of await Promise.all(
    [
      viaToken.conversations.list(),
      viaToken.council.start({ conversationId: conversation.id, content: 'still there?' }),
    ].map(failureOf),
  )) {
    expect(failure).toMatchObject({ code: 'FORBIDDEN', appCode: 'ACCOUNT_DISABLED' });
  }
  expect(await api.db.selectFrom('councilRuns').select('id').execute()).toEqual([]);

  // Disabling ends password sessions; the user's tokens are kept and work again once enabled.
  await enableUser(operatorOf(api), user.email);
  expect((await viaToken.conversations.list()).items.map((c) => c.id)).toEqual([conversation.id]);
});

test('last use is recorded at most once a minute', async ({ api }) => {
  const { created, viaToken } = await tokenFor(api, ['read']);
  api.freezeClock();
  try {
    await viaToken.conversations.list();
    const first = (await tokenRow(api, created.id)).lastUsedAt;
    expect(first).not.toBeNull();
    api.advanceClock(30);
    await Promise.all([viaToken.conversations.list(), viaToken.conversations.list()]);
    expect((await tokenRow(api, created.id)).lastUsedAt).toEqual(first);
    api.advanceClock(31);
    await viaToken.conversations.list();
    expect((await tokenRow(api, created.id)).lastUsedAt!.getTime()).toBe(first!.getTime() + 61_000);
  } finally {
    api.unfreezeClock();
    api.advanceClock(-61);
  }
});

test(`case 67: parallel creates past the cap of ${ACCESS_TOKENS_PER_USER} leave exactly ${ACCESS_TOKENS_PER_USER} tokens`, async ({
  api,
}) => {
  const { user, caller } = await api.signUp();
  // Creating needs the password, counted ten per 15 minutes (case 79): the cap is reached with
  // tokens made by the service, then ten parallel creates race for the last place.
  for (let i = 0; i < ACCESS_TOKENS_PER_USER - 1; i++) {
    await createPersonalAccessToken(api, user.id, { name: `made ${i}`, scopes: ['read'], expiresInDays: null });
  }
  const results = await Promise.allSettled(
    Array.from({ length: 10 }, (_, i) =>
      caller.tokens.create({ name: `parallel ${i}`, scopes: ['read'], password: TEST_PASSWORD }),
    ),
  );
  expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  for (const rejected of results.filter((r) => r.status === 'rejected')) {
    expect(describeFailure(rejected.reason)).toMatchObject({
      code: 'FORBIDDEN',
      appCode: 'ACCESS_TOKEN_LIMIT_REACHED',
    });
  }
  expect(await caller.tokens.list()).toHaveLength(ACCESS_TOKENS_PER_USER);

  // Revoking one frees a place (after the password counter's window).
  await caller.tokens.revoke({ id: (await caller.tokens.list())[0]!.id });
  api.advanceClock(15 * 60);
  try {
    const fresh = await api.callerFor(user);
    await fresh.tokens.create({ name: 'after revoke', scopes: ['council'], password: TEST_PASSWORD });
  } finally {
    api.advanceClock(-15 * 60);
  }
});
