import { mkdtemp, readFile, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  getAppErrorCode,
  getFieldErrors,
  getRetryAfterSeconds,
  isUnauthorized,
  memoryTokenStore,
  type StoredSession,
} from '@llm-council/sdk';
import { fileTokenStore } from '@llm-council/sdk/node';
import { expect } from 'vitest';
import { serverTest } from './helpers/fixtures.js';
import { call, expectError } from './helpers/http.js';
import { STRONG_PASSWORD, uniqueEmail, type TestServer } from './helpers/test-server.js';

// The SDK as a Node program uses it: tokens stored for you, one refresh for any number of
// waiting calls, a clean end of session, and a file store that survives restarts.

const test = serverTest().extend('email', { scope: 'file' }, async ({ server }) => {
  const email = uniqueEmail('sdk');
  await call(server, 'auth.register', { input: { email, password: STRONG_PASSWORD, transport: 'body' } });
  return email;
});

/** A fresh session of the file's user, as the token store would hold it. */
async function freshSession(
  server: TestServer,
  email: string,
): Promise<StoredSession & { refreshToken: string; accessToken: string }> {
  const response = await call(server, 'auth.login', { input: { email, password: STRONG_PASSWORD, transport: 'body' } });
  return response.data as StoredSession & { refreshToken: string; accessToken: string };
}

/** A fetch that counts the procedures it carries (a batch carries several, comma-separated). */
function countingFetch() {
  const calls: string[] = [];
  const wrapped: typeof fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    calls.push(...decodeURIComponent(url.pathname.replace(/^\/trpc\//, '')).split(','));
    return fetch(input, init);
  };
  return { fetch: wrapped, calls, count: (path: string) => calls.filter((c) => c === path).length };
}

test('three calls with an expired session token cause exactly one refresh, and all three succeed', async ({
  server,
  email,
}) => {
  const session = await freshSession(server, email);
  const counter = countingFetch();
  const client = server.client({ tokenStore: memoryTokenStore(session), fetch: counter.fetch });
  server.advanceClock(61 * 60); // the server now sees the token as expired; the SDK does not know yet
  try {
    const [me, list, keys] = await Promise.all([
      client.auth.me.query(),
      client.conversations.list.query(),
      client.settings.listApiKeys.query(),
    ]);
    expect(me.email).toBe(email);
    expect(list.items).toEqual([]);
    expect(keys).toEqual([]);
    expect(counter.count('auth.refresh')).toBe(1);
    expect(counter.count('auth.me')).toBe(2); // the first attempt and its retry
  } finally {
    server.advanceClock(-61 * 60);
  }
});

test('three unbatched concurrent calls with an invalid session token cause exactly one refresh', async ({
  server,
  email,
}) => {
  const session = await freshSession(server, email);
  const counter = countingFetch();
  const client = server.client({
    tokenStore: memoryTokenStore({ ...session, accessToken: 'not-a-valid-token' }),
    fetch: counter.fetch,
  });
  const nextTick = () => new Promise((resolve) => setTimeout(resolve, 0));
  const results = await Promise.all([
    client.auth.me.query(),
    nextTick().then(() => client.conversations.list.query()),
    nextTick()
      .then(nextTick)
      .then(() => client.settings.listApiKeys.query()),
  ]);
  expect(results[0].email).toBe(email);
  expect(counter.count('auth.refresh')).toBe(1);
});

test('a session token known to be expired is refreshed before the call, once for three calls', async ({
  server,
  email,
}) => {
  const session = await freshSession(server, email);
  const counter = countingFetch();
  const stale = { ...session, accessTokenExpiresAt: new Date(Date.now() - 1000).toISOString() };
  const client = server.client({ tokenStore: memoryTokenStore(stale), fetch: counter.fetch });
  await Promise.all([client.auth.me.query(), client.conversations.list.query(), client.auth.me.query()]);
  expect(counter.count('auth.refresh')).toBe(1);
  // Refreshed up front, so no call had to be retried.
  expect(counter.calls.filter((c) => c === 'auth.me')).toHaveLength(2);
});

test('after logout the stored session is gone and its refresh token no longer works', async ({ server, email }) => {
  const session = await freshSession(server, email);
  const store = memoryTokenStore(session);
  const client = server.client({ tokenStore: store });
  await client.auth.me.query();
  await client.auth.logout.mutate();
  expect(await store.load()).toBeNull();
  expect(await client.restoreSession()).toBe(false);
  expectError(
    await call(server, 'auth.refresh', { input: { transport: 'body', refreshToken: session.refreshToken } }),
    'UNAUTHORIZED',
  );
  const error = await client.auth.me.query().catch((e: unknown) => e);
  expect(isUnauthorized(error)).toBe(true);
});

test('onSessionExpired is called once and the store cleared when the session was ended elsewhere', async ({
  server,
  email,
}) => {
  const session = await freshSession(server, email);
  await call(server, 'auth.logoutAll', { accessToken: session.accessToken });
  const store = memoryTokenStore({ ...session, accessToken: 'expired-or-garbage' });
  let expired = 0;
  const client = server.client({ tokenStore: store, onSessionExpired: () => expired++ });
  const error = await client.auth.me.query().catch((e: unknown) => e);
  expect(isUnauthorized(error)).toBe(true);
  expect(getAppErrorCode(error)).toBe('SESSION_EXPIRED');
  expect(expired).toBe(1);
  expect(await store.load()).toBeNull();
});

test('a refresh that cannot reach the server keeps the stored session, and works once the network is back', async ({
  server,
  email,
}) => {
  const session = await freshSession(server, email);
  const store = memoryTokenStore({ ...session, accessToken: 'expired-or-garbage' });
  let isOffline = true;
  let expired = 0;
  const flakyFetch: typeof fetch = (input, init) => {
    const url = input instanceof Request ? input.url : input.toString();
    return isOffline && url.includes('auth.refresh')
      ? Promise.reject(new TypeError('fetch failed'))
      : fetch(input, init);
  };
  const client = server.client({ tokenStore: store, fetch: flakyFetch, onSessionExpired: () => expired++ });

  // The call fails (its token is bad and no refresh got through), but nothing signs the user out.
  const error = await client.auth.me.query().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(Error);
  await expect(client.restoreSession()).rejects.toThrow();
  expect(await store.load()).toEqual({ ...session, accessToken: 'expired-or-garbage' });
  expect(expired).toBe(0);

  isOffline = false;
  expect(await client.restoreSession()).toBe(true);
  expect((await client.auth.me.query()).email).toBe(email);
});

test('restoreSession signs a new client in from a stored refresh token', async ({ server, email }) => {
  const session = await freshSession(server, email);
  const store = memoryTokenStore({ accessToken: null, accessTokenExpiresAt: null, refreshToken: session.refreshToken });
  const client = server.client({ tokenStore: store });
  expect(await client.restoreSession()).toBe(true);
  expect(await client.getAccessToken()).toMatch(/^eyJ/);
  expect((await client.auth.me.query()).email).toBe(email);
  expect((await store.load())?.refreshToken).not.toBe(session.refreshToken);
});

test('a file token store keeps the session across restarts, with mode 0600, and logout removes it', async ({
  server,
  email,
}) => {
  const dir = await mkdtemp(join(tmpdir(), 'llmc-sdk-'));
  const path = join(dir, 'nested', 'session.json');
  const first = server.client({ tokenStore: fileTokenStore(path) });
  await first.auth.login.mutate({ email, password: STRONG_PASSWORD });
  expect((await stat(path)).mode & 0o777).toBe(0o600);
  const saved = JSON.parse(await readFile(path, 'utf8')) as StoredSession;
  expect(saved.refreshToken).toEqual(expect.any(String));
  expect(saved.accessToken).toEqual(expect.any(String));

  // "Restart": a new client reading the same file is signed in, and refreshes through it.
  const second = server.client({ tokenStore: fileTokenStore(path) });
  expect((await second.auth.me.query()).email).toBe(email);
  expect(await second.restoreSession()).toBe(true);
  const rotated = JSON.parse(await readFile(path, 'utf8')) as StoredSession;
  expect(rotated.refreshToken).not.toBe(saved.refreshToken);
  expect((await stat(path)).mode & 0o777).toBe(0o600);

  await second.auth.logout.mutate();
  await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
  expect(await fileTokenStore(path).load()).toBeNull();
});

test('a file token store tightens a pre-existing readable file to 0600', async ({ server, email }) => {
  const dir = await mkdtemp(join(tmpdir(), 'llmc-sdk-'));
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'session.json');
  await writeFile(path, 'null', { mode: 0o644 });
  const client = server.client({ tokenStore: fileTokenStore(path) });
  await client.auth.login.mutate({ email, password: STRONG_PASSWORD });
  expect((await stat(path)).mode & 0o777).toBe(0o600);
});

test('error helpers expose the app code, the field errors and the retry delay', async ({ server, email }) => {
  const client = server.client();
  const invalid = await client.auth.login.mutate({ email, password: 'not the password' }).catch((e: unknown) => e);
  expect(getAppErrorCode(invalid)).toBe('INVALID_CREDENTIALS');
  expect(isUnauthorized(invalid)).toBe(true);

  const short = await client.auth.register.mutate({ email: uniqueEmail(), password: 'short' }).catch((e: unknown) => e);
  expect(getAppErrorCode(short)).toBe('VALIDATION_FAILED');
  expect(Object.keys(getFieldErrors(short))).toEqual(['password']);

  const victim = uniqueEmail('sdk-locked');
  await call(server, 'auth.register', { input: { email: victim, password: STRONG_PASSWORD } });
  for (let attempt = 0; attempt < 10; attempt++) {
    await client.auth.login.mutate({ email: victim, password: `guess ${attempt}` }).catch(() => undefined);
  }
  const limited = await client.auth.login.mutate({ email: victim, password: 'guess 11' }).catch((e: unknown) => e);
  expect(getAppErrorCode(limited)).toBe('RATE_LIMITED');
  expect(getRetryAfterSeconds(limited)).toBeGreaterThan(0);
  expect(getAppErrorCode(new Error('not from the server'))).toBeNull();
});
