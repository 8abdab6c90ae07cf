import { expect, test } from 'vitest';
import { STRONG_PASSWORD, registerUser, startTestServer, uniqueEmail, type TestServer } from './helpers/test-server.js';

// Security cases 49 and 51 over HTTP: one batched request (its calls run concurrently), and the
// Retry-After header the host derives from the API's wait.

async function batch(server: TestServer, path: string, inputs: unknown[], accessToken?: string) {
  const body = Object.fromEntries(inputs.map((input, i) => [String(i), input]));
  const response = await fetch(`${server.url}/trpc/${Array(inputs.length).fill(path).join(',')}?batch=1`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(accessToken ? { Authorization: `Bearer ${accessToken}` } : {}),
    },
    body: JSON.stringify(body),
  });
  const items = (await response.json()) as { error?: { data?: { appCode?: string; httpStatus?: number } } }[];
  return { response, codes: items.map((item) => item.error?.data?.appCode ?? 'ok') };
}

test(
  'case 49: thirty batched changePassword guesses reach argon2 ten times; the rest are 429 first',
  { timeout: 120_000 },
  async () => {
    const server = await startTestServer();
    try {
      const { email } = await registerUser(server);
      const login = await server.client().auth.login.mutate({ email, password: STRONG_PASSWORD, transport: 'body' });
      const guesses = Array.from({ length: 30 }, (_, i) => ({
        currentPassword: `batched guess ${i}`,
        newPassword: 'a brand new passphrase',
        transport: 'body',
      }));
      const { response, codes } = await batch(server, 'auth.changePassword', guesses, login.accessToken);
      expect(codes.filter((code) => code === 'INVALID_CREDENTIALS')).toHaveLength(10);
      expect(codes.filter((code) => code === 'RATE_LIMITED')).toHaveLength(20);
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  },
);

test(
  'case 51: a full hash queue answers 503 SERVER_BUSY with Retry-After; a login succeeds once it drains',
  { timeout: 120_000 },
  async () => {
    const server = await startTestServer({ env: { PASSWORD_HASH_QUEUE_MAX: '2', PASSWORD_HASH_PROFILE: 'standard' } });
    try {
      const { email } = await registerUser(server);
      const flood = Array.from({ length: 30 }, () => ({ email: uniqueEmail('flood'), password: 'flooding in' }));
      const { response, codes } = await batch(server, 'auth.login', flood);
      // Four hash at once and two wait; everything beyond is turned away at once, not queued.
      expect(codes.filter((code) => code === 'SERVER_BUSY').length).toBeGreaterThanOrEqual(24);
      expect(codes.filter((code) => code === 'INVALID_CREDENTIALS').length).toBeLessThanOrEqual(6);
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);

      const signedIn = await server.client().auth.login.mutate({ email, password: STRONG_PASSWORD });
      expect(signedIn.user.email).toBe(email);
    } finally {
      await server.close();
    }
  },
);
