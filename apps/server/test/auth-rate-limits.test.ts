import { expect, test } from 'vitest';
import { call, expectError, type RawResponse } from './helpers/http.js';
import { STRONG_PASSWORD, startTestServer, uniqueEmail, type TestServer } from './helpers/test-server.js';

// Security case 6 at the HTTP edge: a refused attempt is a 429 with a Retry-After header, and a
// spoofed X-Forwarded-For does not dodge the per-IP limits unless a proxy is trusted. (The
// account lockout itself is tested through createCaller: packages/api/src/auth/login-lockout.)

function expectRateLimited(response: RawResponse, maxSeconds: number): void {
  const error = expectError(response, 'TOO_MANY_REQUESTS');
  expect(response.status).toBe(429);
  expect(error.data.appCode).toBe('RATE_LIMITED');
  const retryAfter = Number(response.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(maxSeconds);
  expect(error.data.retryAfterSeconds).toBe(retryAfter);
}

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

test('one batched request of 30 logins gets 10 password checks; the rest are refused before argon2', async () => {
  const isolated = await startTestServer();
  try {
    const email = uniqueEmail('batch');
    await call(isolated, 'auth.register', { input: { email, password: STRONG_PASSWORD } });
    const count = 30;
    const body = Object.fromEntries(
      Array.from({ length: count }, (_, i) => [
        String(i),
        { email, password: `batched guess ${i}`, transport: 'body' },
      ]),
    );
    const response = await fetch(`${isolated.url}/trpc/${Array(count).fill('auth.login').join(',')}?batch=1`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    const items = (await response.json()) as { error?: { data?: { appCode?: string } } }[];
    const codes = items.map((item) => item.error?.data?.appCode);
    expect(codes).toHaveLength(count);
    expect(codes.filter((code) => code === 'INVALID_CREDENTIALS')).toHaveLength(10);
    expect(codes.filter((code) => code === 'RATE_LIMITED')).toHaveLength(count - 10);
  } finally {
    await isolated.close();
  }
});
