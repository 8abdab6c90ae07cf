import { expect } from 'vitest';
import { serverTest } from './helpers/fixtures.js';
import { call, expectError, type CallOptions, type RawResponse } from './helpers/http.js';
import { STRONG_PASSWORD, startTestServer, uniqueEmail, type TestServer } from './helpers/test-server.js';

// Security cases 22 and 24 (and 20 in cookie mode): the browser transport. The refresh token
// lives only in an HttpOnly cookie, and cookie-authenticated procedures check Origin.

const COOKIE = 'llmc_refresh';
const ALLOWED_ORIGIN = 'https://app.example';

const test = serverTest({ env: { CORS_ORIGINS: ALLOWED_ORIGIN } });
function cookieCall(target: TestServer, path: string, cookie: string | null, options: CallOptions = {}) {
  return call(target, path, {
    input: { transport: 'cookie' },
    ...options,
    headers: {
      Origin: target.url,
      ...(cookie === null ? {} : { Cookie: `${COOKIE}=${cookie}` }),
      ...options.headers,
    },
  });
}

async function registerInCookieMode(target: TestServer): Promise<{ cookie: string; response: RawResponse }> {
  const response = await call(target, 'auth.register', {
    input: { email: uniqueEmail('browser'), password: STRONG_PASSWORD, transport: 'cookie' },
    headers: { Origin: target.url },
  });
  expect(response.status, response.text).toBe(200);
  const cookie = response.cookies[COOKIE];
  if (!cookie) throw new Error(`no ${COOKIE} cookie in ${JSON.stringify(response.setCookies)}`);
  return { cookie, response };
}

function attributesOf(response: RawResponse): string[] {
  const header = response.setCookies.find((c) => c.startsWith(`${COOKIE}=`)) ?? '';
  return header
    .split(';')
    .slice(1)
    .map((a) => a.trim().toLowerCase());
}

/** The browser mode's contract for one response: cookie set, flags right, token absent from the body. */
function expectCookieOnly(response: RawResponse, options: { secure: boolean }): string {
  expect(response.status, response.text).toBe(200);
  const cookie = response.cookies[COOKIE] ?? '';
  expect(cookie.length).toBeGreaterThan(40);
  const attributes = attributesOf(response);
  expect(attributes).toContain('httponly');
  expect(attributes).toContain('samesite=strict');
  expect(attributes).toContain('path=/trpc');
  expect(attributes.includes('secure')).toBe(options.secure);
  expect((response.data as { refreshToken: unknown }).refreshToken).toBeNull();
  expect(response.text).not.toContain(cookie);
  return cookie;
}

test('in cookie mode register, login, refresh and changePassword set the token only as an HttpOnly SameSite=Strict cookie on /trpc', async ({
  server,
}) => {
  const email = uniqueEmail('browser');
  const registered = await call(server, 'auth.register', {
    input: { email, password: STRONG_PASSWORD, transport: 'cookie' },
  });
  let cookie = expectCookieOnly(registered, { secure: false });
  const maxAge = Number(/max-age=(\d+)/.exec(attributesOf(registered).join(';'))?.[1]);
  expect(maxAge).toBeGreaterThan(7 * 86_400 - 120);
  expect(maxAge).toBeLessThanOrEqual(7 * 86_400);

  const login = await call(server, 'auth.login', { input: { email, password: STRONG_PASSWORD, transport: 'cookie' } });
  expectCookieOnly(login, { secure: false });

  const refreshed = await cookieCall(server, 'auth.refresh', cookie);
  cookie = expectCookieOnly(refreshed, { secure: false });

  const changed = await call(server, 'auth.changePassword', {
    accessToken: (refreshed.data as { accessToken: string }).accessToken,
    input: { currentPassword: STRONG_PASSWORD, newPassword: 'a fresh browser passphrase', transport: 'cookie' },
  });
  expectCookieOnly(changed, { secure: false });
});

test('in body mode no cookie is set, so one response never carries the token twice', async ({ server }) => {
  const email = uniqueEmail('node');
  const registered = await call(server, 'auth.register', {
    input: { email, password: STRONG_PASSWORD, transport: 'body' },
  });
  expect(registered.setCookies).toEqual([]);
  const refreshToken = (registered.data as { refreshToken: string }).refreshToken;
  expect(refreshToken.length).toBeGreaterThan(40);
  const refreshed = await call(server, 'auth.refresh', { input: { transport: 'body', refreshToken } });
  expect(refreshed.status).toBe(200);
  expect(refreshed.setCookies).toEqual([]);
});

test('cookie mode ignores a refresh token sent in the body', async ({ server }) => {
  const body = await call(server, 'auth.register', {
    input: { email: uniqueEmail('mixed'), password: STRONG_PASSWORD, transport: 'body' },
  });
  const refreshToken = (body.data as { refreshToken: string }).refreshToken;
  const mixed = await cookieCall(server, 'auth.refresh', null, { input: { transport: 'cookie', refreshToken } });
  expectError(mixed, 'UNAUTHORIZED');
});

test('in production the refresh cookie is also Secure', async () => {
  const production = await startTestServer({ env: { NODE_ENV: 'production', REGISTRATION: 'open' } });
  try {
    const { cookie, response } = await registerInCookieMode(production);
    expectCookieOnly(response, { secure: true });
    expectCookieOnly(await cookieCall(production, 'auth.refresh', cookie), { secure: true });
  } finally {
    await production.close();
  }
});

test('a cookie refresh with a foreign, null or missing Origin is FORBIDDEN and the session survives', async ({
  server,
}) => {
  const { cookie } = await registerInCookieMode(server);
  for (const origin of ['https://evil.example', 'null', `${server.url}.evil.example`]) {
    const response = await cookieCall(server, 'auth.refresh', cookie, { headers: { Origin: origin } });
    const error = expectError(response, 'FORBIDDEN');
    expect(error.data.appCode).toBe('CSRF_REJECTED');
    expect(response.setCookies).toEqual([]);
  }
  const noOrigin = await call(server, 'auth.refresh', {
    input: { transport: 'cookie' },
    headers: { Cookie: `${COOKIE}=${cookie}` },
  });
  expectError(noOrigin, 'FORBIDDEN');
  // The same cookie still works from our own origin: nothing was rotated or revoked.
  expectCookieOnly(await cookieCall(server, 'auth.refresh', cookie), { secure: false });
});

test('a cookie refresh from an allowlisted origin works', async ({ server }) => {
  const { cookie } = await registerInCookieMode(server);
  const response = await cookieCall(server, 'auth.refresh', cookie, { headers: { Origin: ALLOWED_ORIGIN } });
  expectCookieOnly(response, { secure: false });
  expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
});

test('a cookie logout from a foreign Origin is FORBIDDEN and does not end the session', async ({ server }) => {
  const { cookie } = await registerInCookieMode(server);
  const forged = await cookieCall(server, 'auth.logout', cookie, { headers: { Origin: 'https://evil.example' } });
  expectError(forged, 'FORBIDDEN');
  expect(forged.setCookies).toEqual([]);
  expectCookieOnly(await cookieCall(server, 'auth.refresh', cookie), { secure: false });
});

test('cookie logout clears the cookie and the old cookie can no longer refresh', async ({ server }) => {
  const { cookie } = await registerInCookieMode(server);
  const logout = await cookieCall(server, 'auth.logout', cookie);
  expect(logout.status).toBe(200);
  const cleared = logout.setCookies.find((c) => c.startsWith(`${COOKIE}=`)) ?? '';
  expect(cleared).toMatch(/Expires=Thu, 01 Jan 1970/);
  expect(cleared.toLowerCase()).toContain('path=/trpc');
  expectError(await cookieCall(server, 'auth.refresh', cookie), 'UNAUTHORIZED');
});
