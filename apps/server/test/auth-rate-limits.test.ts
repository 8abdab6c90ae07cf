import { afterAll, beforeAll, expect, test } from 'vitest';
import { call, expectError, type RawResponse } from './helpers/http.js';
import { STRONG_PASSWORD, startTestServer, uniqueEmail, type TestServer } from './helpers/test-server.js';

// Security case 6: failed logins lock the account (429 + Retry-After) and a spoofed
// X-Forwarded-For neither resets that nor dodges the per-IP limits, unless a proxy is trusted.

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

async function newAccount(): Promise<string> {
  const email = uniqueEmail('locked');
  const response = await call(server, 'auth.register', {
    input: { email, password: STRONG_PASSWORD, transport: 'body' },
  });
  expect(response.status).toBe(200);
  return email;
}

function login(target: TestServer, email: string, password: string, headers: Record<string, string> = {}) {
  return call(target, 'auth.login', { input: { email, password, transport: 'body' }, headers });
}

function expectRateLimited(response: RawResponse, maxSeconds: number): void {
  const error = expectError(response, 'TOO_MANY_REQUESTS');
  expect(response.status).toBe(429);
  expect(error.data.appCode).toBe('RATE_LIMITED');
  const retryAfter = Number(response.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(maxSeconds);
  expect(error.data.retryAfterSeconds).toBe(retryAfter);
}

test('ten wrong passwords lock the account: the next attempt is TOO_MANY_REQUESTS with Retry-After', async () => {
  const email = await newAccount();
  for (let attempt = 1; attempt <= 10; attempt++) {
    expectError(await login(server, email, `wrong guess ${attempt}`), 'UNAUTHORIZED');
  }
  expectRateLimited(await login(server, email, 'wrong guess 11'), 15 * 60);
  // Locked means locked: the right password does not get through either, nor from a "new" IP.
  expectRateLimited(await login(server, email, STRONG_PASSWORD), 15 * 60);
  expectRateLimited(await login(server, email, STRONG_PASSWORD, { 'X-Forwarded-For': '203.0.113.77' }), 15 * 60);
  // Another account is unaffected.
  const other = await newAccount();
  expect((await login(server, other, STRONG_PASSWORD)).status).toBe(200);
});

test('the lockout lifts once its window has passed', async () => {
  const email = await newAccount();
  for (let attempt = 1; attempt <= 10; attempt++) await login(server, email, `wrong guess ${attempt}`);
  expectRateLimited(await login(server, email, STRONG_PASSWORD), 15 * 60);
  server.advanceClock(15 * 60 + 1);
  try {
    expect((await login(server, email, STRONG_PASSWORD)).status).toBe(200);
  } finally {
    server.advanceClock(-(15 * 60 + 1));
  }
});

test('a successful login resets the count of failed attempts', async () => {
  const email = await newAccount();
  for (let attempt = 1; attempt <= 9; attempt++) await login(server, email, `wrong guess ${attempt}`);
  expect((await login(server, email, STRONG_PASSWORD)).status).toBe(200);
  expectError(await login(server, email, 'one more typo'), 'UNAUTHORIZED');
  expectError(await login(server, email, 'and another typo'), 'UNAUTHORIZED');
});

/** Register is limited per IP before any hashing; a refused weak password still counts. */
async function exhaustRegisterLimit(target: TestServer, headers: Record<string, string> = {}): Promise<void> {
  const { limit } = target.config.api.rateLimits.registerPerIp;
  for (let attempt = 0; attempt < limit; attempt++) {
    const response = await call(target, 'auth.register', {
      input: { email: uniqueEmail('flood'), password: 'password123' },
      headers,
    });
    expect(response.error?.data.appCode).toBe('WEAK_PASSWORD');
  }
}

test('a spoofed X-Forwarded-For does not dodge the per-IP limit when no proxy is trusted', async () => {
  const isolated = await startTestServer();
  try {
    await exhaustRegisterLimit(isolated, { 'X-Forwarded-For': '198.51.100.1' });
    const { windowSeconds } = isolated.config.api.rateLimits.registerPerIp;
    const register = (headers: Record<string, string>) =>
      call(isolated, 'auth.register', { input: { email: uniqueEmail(), password: STRONG_PASSWORD }, headers });
    expectRateLimited(await register({}), windowSeconds);
    expectRateLimited(await register({ 'X-Forwarded-For': '198.51.100.2' }), windowSeconds);
    expectRateLimited(await register({ 'X-Forwarded-For': '198.51.100.3, 10.0.0.1' }), windowSeconds);
  } finally {
    await isolated.close();
  }
});

test('with TRUST_PROXY set, clients behind the proxy are limited by their forwarded address', async () => {
  const proxied = await startTestServer({ env: { TRUST_PROXY: 'loopback' } });
  try {
    await exhaustRegisterLimit(proxied, { 'X-Forwarded-For': '198.51.100.10' });
    const { windowSeconds } = proxied.config.api.rateLimits.registerPerIp;
    const register = (ip: string) =>
      call(proxied, 'auth.register', {
        input: { email: uniqueEmail(), password: 'password123' },
        headers: { 'X-Forwarded-For': ip },
      });
    expectRateLimited(await register('198.51.100.10'), windowSeconds);
    expect((await register('198.51.100.11')).error?.data.appCode).toBe('WEAK_PASSWORD');
  } finally {
    await proxied.close();
  }
});
