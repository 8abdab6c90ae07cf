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

// Case 54: IPv6 clients are counted per /64, IPv4-mapped IPv6 as IPv4, and the forwarded address
// is read only from hops the operator trusts.

async function rateLimitRow(target: TestServer, key: string) {
  return target.db.selectFrom('rateLimits').select(['key', 'count']).where('key', '=', key).executeTakeFirst();
}

test('case 54: two IPv6 addresses in one /64 share the register-per-IP bucket; the next /64 does not', async () => {
  const proxied = await startTestServer({ env: { TRUST_PROXY: '127.0.0.1' } });
  try {
    await exhaustRegisterLimit(proxied, { 'X-Forwarded-For': '2001:db8:1:2::1' });
    const { windowSeconds } = proxied.config.api.rateLimits.registerPerIp;
    const register = (ip: string) =>
      call(proxied, 'auth.register', {
        input: { email: uniqueEmail(), password: 'password123' },
        headers: { 'X-Forwarded-For': ip },
      });
    expectRateLimited(await register('2001:db8:1:2:ffff:ffff:ffff:fffe'), windowSeconds);
    expectRateLimited(await register('2001:0db8:0001:0002::9'), windowSeconds);
    expect((await register('2001:db8:1:3::1')).error?.data.appCode).toBe('WEAK_PASSWORD');
  } finally {
    await proxied.close();
  }
});

test('case 54: logins from one /64 count in one login-per-IP bucket; IPv4-mapped IPv6 counts as IPv4', async () => {
  const proxied = await startTestServer({ env: { TRUST_PROXY: 'loopback' } });
  try {
    const login = (ip: string) =>
      call(proxied, 'auth.login', {
        input: { email: uniqueEmail('nobody'), password: 'not the password', transport: 'body' },
        headers: { 'X-Forwarded-For': ip },
      });
    await login('2001:db8:5:6::1');
    await login('2001:db8:5:6:a:b:c:d');
    expect(await rateLimitRow(proxied, 'login:ip:2001:db8:5:6::/64')).toEqual({
      key: 'login:ip:2001:db8:5:6::/64',
      count: 2,
    });
    await login('::ffff:198.51.100.7');
    await login('198.51.100.7');
    expect((await rateLimitRow(proxied, 'login:ip:198.51.100.7'))?.count).toBe(2);
  } finally {
    await proxied.close();
  }
});

test('case 54: with a hop count, the address comes from the trusted hop, not from what the client wrote', async () => {
  const proxied = await startTestServer({ env: { TRUST_PROXY: '1' } });
  try {
    // The client wrote the first entry itself; the one proxy in front appended the real address.
    await call(proxied, 'auth.login', {
      input: { email: uniqueEmail('nobody'), password: 'not the password', transport: 'body' },
      headers: { 'X-Forwarded-For': '203.0.113.66, 2001:db8:9:9::1' },
    });
    expect((await rateLimitRow(proxied, 'login:ip:2001:db8:9:9::/64'))?.count).toBe(1);
    expect(await rateLimitRow(proxied, 'login:ip:203.0.113.66')).toBeUndefined();
  } finally {
    await proxied.close();
  }
});

test('case 54: X-Forwarded-For is ignored unless a proxy is trusted, and the server says so once', async () => {
  const direct = await startTestServer();
  try {
    for (const ip of ['2001:db8:7:7::1', '2001:db8:7:7::2']) {
      await call(direct, 'auth.login', {
        input: { email: uniqueEmail('nobody'), password: 'not the password', transport: 'body' },
        headers: { 'X-Forwarded-For': ip },
      });
    }
    expect(await rateLimitRow(direct, 'login:ip:2001:db8:7:7::/64')).toBeUndefined();
    expect((await rateLimitRow(direct, 'login:ip:127.0.0.1'))?.count).toBe(2);
    const warnings = direct.logs.filter((line) => line.includes('X-Forwarded-For but TRUST_PROXY is unset'));
    expect(warnings).toHaveLength(1);
  } finally {
    await direct.close();
  }
});
