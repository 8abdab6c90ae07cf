import { createHash } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { call, expectError, type RawResponse } from './helpers/http.js';
import { STRONG_PASSWORD, startTestServer, uniqueEmail, type TestServer } from './helpers/test-server.js';

// Security cases 18–21: rotation, reuse detection, the grace window, logout and the 7-day cap,
// in body transport (the refresh token travels in JSON, as the SDK sends it from Node).

let server: TestServer;
let email: string;
beforeAll(async () => {
  server = await startTestServer();
  email = uniqueEmail('refresher');
  await call(server, 'auth.register', { input: { email, password: STRONG_PASSWORD, transport: 'body' } });
});
afterAll(async () => {
  await server.close();
});

interface Tokens {
  accessToken: string;
  refreshToken: string;
}

/** A new session (a new refresh family) for the file's user. */
async function signIn(): Promise<Tokens> {
  const response = await call(server, 'auth.login', { input: { email, password: STRONG_PASSWORD, transport: 'body' } });
  expect(response.status).toBe(200);
  return response.data as Tokens;
}

function refresh(refreshToken: string): Promise<RawResponse> {
  return call(server, 'auth.refresh', { input: { transport: 'body', refreshToken } });
}

async function refreshOk(refreshToken: string): Promise<Tokens> {
  const response = await refresh(refreshToken);
  expect(response.status, response.text).toBe(200);
  return response.data as Tokens;
}

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

async function familyRows(refreshToken: string) {
  const row = await server.db
    .selectFrom('refreshTokens')
    .select('familyId')
    .where('tokenHash', '=', sha256(refreshToken))
    .executeTakeFirstOrThrow();
  return server.db
    .selectFrom('refreshTokens')
    .select(['id', 'parentId', 'tokenHash', 'rotatedAt', 'revokedAt', 'expiresAt'])
    .where('familyId', '=', row.familyId)
    .execute();
}

function liveRows(rows: Awaited<ReturnType<typeof familyRows>>) {
  return rows.filter((r) => r.rotatedAt === null && r.revokedAt === null);
}

test('every refresh rotates the token: the response carries a new refresh token and a working access token', async () => {
  const first = await signIn();
  const second = await refreshOk(first.refreshToken);
  expect(second.refreshToken).not.toBe(first.refreshToken);
  expect(second.accessToken).not.toBe(first.accessToken);
  const me = await call(server, 'auth.me', { type: 'query', accessToken: second.accessToken });
  expect(me.status).toBe(200);
  const rows = await familyRows(first.refreshToken);
  expect(rows).toHaveLength(2);
  expect(liveRows(rows).map((r) => r.tokenHash)).toEqual([sha256(second.refreshToken)]);
});

test('a rotated token presented again within the grace window gets the current successor, never a fork', async () => {
  const first = await signIn();
  const second = await refreshOk(first.refreshToken);
  server.advanceClock(9);
  try {
    // A second tab still holding the old token.
    const fromOtherTab = await refreshOk(first.refreshToken);
    expect(fromOtherTab.refreshToken).not.toBe(second.refreshToken);
    const rows = await familyRows(first.refreshToken);
    expect(liveRows(rows).map((r) => r.tokenHash)).toEqual([sha256(fromOtherTab.refreshToken)]);
    expect(rows.every((r) => r.revokedAt === null)).toBe(true);
    // Still a chain: no token has two children.
    const parents = rows.map((r) => r.parentId).filter((id) => id !== null);
    expect(new Set(parents).size).toBe(parents.length);
  } finally {
    server.advanceClock(-9);
  }
});

test('refresh with a rotated token after the grace window is refused and revokes the whole family', async () => {
  const first = await signIn();
  const second = await refreshOk(first.refreshToken);
  server.advanceClock(11);
  try {
    const replay = expectError(await refresh(first.refreshToken), 'UNAUTHORIZED');
    expect(replay.data.appCode).toBe('SESSION_EXPIRED');
    // The newest token of the family — the legitimate owner's — no longer works either.
    expectError(await refresh(second.refreshToken), 'UNAUTHORIZED');
    const rows = await familyRows(first.refreshToken);
    expect(rows.every((r) => r.revokedAt !== null)).toBe(true);
    expect(server.logs.some((line) => line.includes('refresh token reuse'))).toBe(true);
  } finally {
    server.advanceClock(-11);
  }
});

test('ten parallel refreshes with one token all succeed or fail cleanly and leave exactly one live token', async () => {
  const first = await signIn();
  const responses = await Promise.all(Array.from({ length: 10 }, () => refresh(first.refreshToken)));
  for (const response of responses) {
    expect([200, 401], response.text).toContain(response.status);
    if (response.status === 401) expect(response.error?.data.appCode).toBe('SESSION_EXPIRED');
  }
  const issued = responses.filter((r) => r.status === 200).map((r) => (r.data as Tokens).refreshToken);
  expect(issued.length).toBeGreaterThan(0);
  expect(new Set(issued).size).toBe(issued.length);

  const rows = await familyRows(first.refreshToken);
  const live = liveRows(rows);
  expect(live).toHaveLength(1);
  const parents = rows.map((r) => r.parentId).filter((id) => id !== null);
  expect(new Set(parents).size).toBe(parents.length);
  // Exactly one of the handed-out tokens is the live one, and it keeps the session going.
  const liveToken = issued.filter((token) => sha256(token) === live[0]?.tokenHash);
  expect(liveToken).toHaveLength(1);
  await refreshOk(liveToken[0] ?? '');
});

test('refresh after logout is refused', async () => {
  const session = await signIn();
  const rotated = await refreshOk(session.refreshToken);
  const logout = await call(server, 'auth.logout', {
    input: { transport: 'body', refreshToken: rotated.refreshToken },
  });
  expect(logout.status).toBe(200);
  expectError(await refresh(rotated.refreshToken), 'UNAUTHORIZED');
  // Nor does the family's older token get back in through the grace window.
  expectError(await refresh(session.refreshToken), 'UNAUTHORIZED');
});

test('logout ends only that session; another device stays signed in', async () => {
  const laptop = await signIn();
  const phone = await signIn();
  await call(server, 'auth.logout', { input: { transport: 'body', refreshToken: laptop.refreshToken } });
  expectError(await refresh(laptop.refreshToken), 'UNAUTHORIZED');
  await refreshOk(phone.refreshToken);
});

test('logoutAll ends every session of the user', async () => {
  const laptop = await signIn();
  const phone = await signIn();
  const out = await call(server, 'auth.logoutAll', { accessToken: laptop.accessToken });
  expect(out.status).toBe(200);
  expectError(await refresh(laptop.refreshToken), 'UNAUTHORIZED');
  expectError(await refresh(phone.refreshToken), 'UNAUTHORIZED');
});

test('an unknown or malformed refresh token is refused without a server error', async () => {
  expectError(await refresh('not-a-token-we-issued'), 'UNAUTHORIZED');
  expectError(await call(server, 'auth.refresh', { input: { transport: 'body' } }), 'UNAUTHORIZED');
  expectError(await refresh('x'.repeat(513)), 'BAD_REQUEST');
});

test('rotation never extends a session past login plus 7 days', async () => {
  const first = await signIn();
  const [{ expiresAt } = { expiresAt: new Date(0) }] = await familyRows(first.refreshToken);
  const loginAt = server.now().getTime();
  expect(Math.abs(expiresAt.getTime() - (loginAt + 7 * 86_400_000))).toBeLessThan(60_000);

  let shifted = 0;
  try {
    server.advanceClock(3 * 86_400);
    shifted += 3 * 86_400;
    const day3 = await refreshOk(first.refreshToken);
    server.advanceClock(3 * 86_400 + 23 * 3600);
    shifted += 3 * 86_400 + 23 * 3600;
    const day6 = await refreshOk(day3.refreshToken);
    expect((await familyRows(first.refreshToken)).every((r) => r.expiresAt.getTime() === expiresAt.getTime())).toBe(
      true,
    );

    server.advanceClock(3600 + 60);
    shifted += 3600 + 60;
    const late = expectError(await refresh(day6.refreshToken), 'UNAUTHORIZED');
    expect(late.data.appCode).toBe('SESSION_EXPIRED');
  } finally {
    server.advanceClock(-shifted);
  }
});
