import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import type { PublicUser } from './users.repository.js';
import { TEST_PASSWORD, createUser } from '../testing/factories.js';
import { describeFailure, failureOf } from '../testing/failure-of.js';
import { apiTest as test, type TestApi } from '../testing/test-api.js';

// Security cases 18–21: refresh tokens rotate on every use, a replay after the grace
// window revokes the whole family, logout ends one session and logoutAll every one, and no
// rotation outlives the 7 days since login. (Cookie transport and CSRF are tested over HTTP.)

interface Tokens {
  accessToken: string;
  refreshToken: string;
}

/** A new session (a new refresh family) for the user, as a Node client would hold it. */
async function signIn(api: TestApi, user: PublicUser): Promise<Tokens> {
  const result = await api.caller().auth.login({ email: user.email, password: TEST_PASSWORD, transport: 'body' });
  return { accessToken: result.accessToken, refreshToken: result.refreshToken ?? '' };
}

async function refresh(api: TestApi, refreshToken: string): Promise<Tokens> {
  const result = await api.caller().auth.refresh({ transport: 'body', refreshToken });
  return { accessToken: result.accessToken, refreshToken: result.refreshToken ?? '' };
}

async function expectRefused(call: Promise<unknown>, code: 'UNAUTHORIZED' | 'BAD_REQUEST'): Promise<void> {
  expect((await failureOf(call)).code).toBe(code);
}

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

async function familyRows(api: TestApi, refreshToken: string) {
  const row = await api.db
    .selectFrom('refreshTokens')
    .select('familyId')
    .where('tokenHash', '=', sha256(refreshToken))
    .executeTakeFirstOrThrow();
  return api.db
    .selectFrom('refreshTokens')
    .select(['id', 'parentId', 'tokenHash', 'rotatedAt', 'revokedAt', 'expiresAt'])
    .where('familyId', '=', row.familyId)
    .execute();
}

function liveRows(rows: Awaited<ReturnType<typeof familyRows>>) {
  return rows.filter((r) => r.rotatedAt === null && r.revokedAt === null);
}

test('every refresh rotates the token: the response carries a new refresh token and a working session token', async ({
  api,
}) => {
  const user = await createUser(api.db);
  const first = await signIn(api, user);
  const second = await refresh(api, first.refreshToken);
  expect(second.refreshToken).not.toBe(first.refreshToken);
  expect(second.accessToken).not.toBe(first.accessToken);
  const me = await api.caller({ accessToken: second.accessToken }).auth.me();
  expect(me.id).toBe(user.id);
  const rows = await familyRows(api, first.refreshToken);
  expect(rows).toHaveLength(2);
  expect(liveRows(rows).map((r) => r.tokenHash)).toEqual([sha256(second.refreshToken)]);
});

test('a rotated token presented again within the grace window gets the current successor, never a fork', async ({
  api,
}) => {
  const user = await createUser(api.db);
  const first = await signIn(api, user);
  const second = await refresh(api, first.refreshToken);
  api.advanceClock(9);
  try {
    // A second tab still holding the old token.
    const fromOtherTab = await refresh(api, first.refreshToken);
    expect(fromOtherTab.refreshToken).not.toBe(second.refreshToken);
    const rows = await familyRows(api, first.refreshToken);
    expect(liveRows(rows).map((r) => r.tokenHash)).toEqual([sha256(fromOtherTab.refreshToken)]);
    expect(rows.every((r) => r.revokedAt === null)).toBe(true);
    // Still a chain: no token has two children.
    const parents = rows.map((r) => r.parentId).filter((id) => id !== null);
    expect(new Set(parents).size).toBe(parents.length);
  } finally {
    api.advanceClock(-9);
  }
});

test('refresh with a rotated token after the grace window is refused and revokes the whole family', async ({ api }) => {
  const user = await createUser(api.db);
  const first = await signIn(api, user);
  const second = await refresh(api, first.refreshToken);
  api.advanceClock(11);
  try {
    const replay = await failureOf(refresh(api, first.refreshToken));
    expect(replay).toMatchObject({ code: 'UNAUTHORIZED', appCode: 'SESSION_EXPIRED' });
    // The newest token of the family — the legitimate owner's — no longer works either.
    await expectRefused(refresh(api, second.refreshToken), 'UNAUTHORIZED');
    const rows = await familyRows(api, first.refreshToken);
    expect(rows.every((r) => r.revokedAt !== null)).toBe(true);
    expect(api.logs.some((line) => line.msg?.includes('refresh token reuse'))).toBe(true);
  } finally {
    api.advanceClock(-11);
  }
});

test('ten parallel refreshes with one token all succeed or fail cleanly and leave exactly one live token', async ({
  api,
}) => {
  const user = await createUser(api.db);
  const first = await signIn(api, user);
  const outcomes = await Promise.all(
    Array.from({ length: 10 }, () =>
      refresh(api, first.refreshToken).catch((error: unknown) => describeFailure(error)),
    ),
  );
  const issued: string[] = [];
  for (const outcome of outcomes) {
    if ('refreshToken' in outcome) issued.push(outcome.refreshToken);
    else expect(outcome).toMatchObject({ code: 'UNAUTHORIZED', appCode: 'SESSION_EXPIRED' });
  }
  expect(issued.length).toBeGreaterThan(0);
  expect(new Set(issued).size).toBe(issued.length);

  const rows = await familyRows(api, first.refreshToken);
  const live = liveRows(rows);
  expect(live).toHaveLength(1);
  const parents = rows.map((r) => r.parentId).filter((id) => id !== null);
  expect(new Set(parents).size).toBe(parents.length);
  // Exactly one of the handed-out tokens is the live one, and it keeps the session going.
  const liveToken = issued.filter((token) => sha256(token) === live[0]?.tokenHash);
  expect(liveToken).toHaveLength(1);
  await refresh(api, liveToken[0] ?? '');
});

test('refresh after logout is refused', async ({ api }) => {
  const user = await createUser(api.db);
  const session = await signIn(api, user);
  const rotated = await refresh(api, session.refreshToken);
  expect(await api.caller().auth.logout({ transport: 'body', refreshToken: rotated.refreshToken })).toEqual({
    ok: true,
  });
  await expectRefused(refresh(api, rotated.refreshToken), 'UNAUTHORIZED');
  // Nor does the family's older token get back in through the grace window.
  await expectRefused(refresh(api, session.refreshToken), 'UNAUTHORIZED');
});

test('logout ends only that session; another device stays signed in', async ({ api }) => {
  const user = await createUser(api.db);
  const laptop = await signIn(api, user);
  const phone = await signIn(api, user);
  await api.caller().auth.logout({ transport: 'body', refreshToken: laptop.refreshToken });
  await expectRefused(refresh(api, laptop.refreshToken), 'UNAUTHORIZED');
  await refresh(api, phone.refreshToken);
});

test('logoutAll ends every session of the user', async ({ api }) => {
  const user = await createUser(api.db);
  const laptop = await signIn(api, user);
  const phone = await signIn(api, user);
  expect(await api.caller({ accessToken: laptop.accessToken }).auth.logoutAll()).toEqual({ ok: true });
  await expectRefused(refresh(api, laptop.refreshToken), 'UNAUTHORIZED');
  await expectRefused(refresh(api, phone.refreshToken), 'UNAUTHORIZED');
});

test('an unknown or malformed refresh token is refused without a server error', async ({ api }) => {
  await expectRefused(refresh(api, 'not-a-token-we-issued'), 'UNAUTHORIZED');
  await expectRefused(api.caller().auth.refresh({ transport: 'body' }), 'UNAUTHORIZED');
  await expectRefused(refresh(api, 'x'.repeat(513)), 'BAD_REQUEST');
});

test('rotation never extends a session past login plus 7 days', async ({ api }) => {
  const user = await createUser(api.db);
  const first = await signIn(api, user);
  const [{ expiresAt } = { expiresAt: new Date(0) }] = await familyRows(api, first.refreshToken);
  const loginAt = api.now().getTime();
  expect(Math.abs(expiresAt.getTime() - (loginAt + 7 * 86_400_000))).toBeLessThan(60_000);

  let shifted = 0;
  try {
    api.advanceClock(3 * 86_400);
    shifted += 3 * 86_400;
    const day3 = await refresh(api, first.refreshToken);
    api.advanceClock(3 * 86_400 + 23 * 3600);
    shifted += 3 * 86_400 + 23 * 3600;
    const day6 = await refresh(api, day3.refreshToken);
    expect(
      (await familyRows(api, first.refreshToken)).every((r) => r.expiresAt.getTime() === expiresAt.getTime()),
    ).toBe(true);

    api.advanceClock(3600 + 60);
    shifted += 3600 + 60;
    const late = await failureOf(refresh(api, day6.refreshToken));
    expect(late).toMatchObject({ code: 'UNAUTHORIZED', appCode: 'SESSION_EXPIRED' });
  } finally {
    api.advanceClock(-shifted);
  }
});
