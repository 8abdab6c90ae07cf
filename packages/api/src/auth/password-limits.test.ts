import { expect, test } from 'vitest';
import { TEST_PASSWORD, createUser, uniqueEmail } from '../testing/factories.js';
import { failureOf } from '../testing/failure-of.js';
import { apiTest, openTestApi } from '../testing/test-api.js';
import { createTestApiConfig } from '../testing/test-config.js';
import { passwordHashLoad } from './passwords.js';

// Security cases 49 and 51 (the HTTP side, batches and the Retry-After header:
// apps/server/test/password-limits.test.ts).

apiTest(
  'case 49: thirty parallel changePassword guesses reach argon2 ten times; the rest are refused first',
  { timeout: 120_000 },
  async ({ api }) => {
    const user = await createUser(api.db);
    const { accessToken } = await api.caller().auth.login({ email: user.email, password: TEST_PASSWORD });
    const outcomes = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        failureOf(
          api.caller({ accessToken }).auth.changePassword({
            currentPassword: `guess number ${i}`,
            newPassword: 'a brand new passphrase',
          }),
        ),
      ),
    );
    const codes = outcomes.map((failure) => failure.appCode);
    expect(codes.filter((code) => code === 'INVALID_CREDENTIALS')).toHaveLength(10);
    expect(codes.filter((code) => code === 'RATE_LIMITED')).toHaveLength(20);
    // Even the right password now waits for the window: guessing on is pointless.
    const right = await failureOf(
      api.caller({ accessToken }).auth.changePassword({ currentPassword: TEST_PASSWORD, newPassword: 'another one' }),
    );
    expect(right).toMatchObject({ code: 'TOO_MANY_REQUESTS', appCode: 'RATE_LIMITED' });
    expect(right.retryAfterSeconds).toBeGreaterThan(0);
  },
);

test('changePassword counts per address too: one address cannot spread guesses over accounts', async () => {
  const config = createTestApiConfig();
  const rateLimits = { ...config.rateLimits, changePasswordPerIp: { limit: 3, windowSeconds: 900 } };
  const api = await openTestApi({ config: { ...config, rateLimits } });
  try {
    const ip = '203.0.113.77';
    const codes: (string | null)[] = [];
    // Each account stays under its own limit of ten; the address does not stay under its three.
    for (let i = 0; i < 2; i++) {
      const user = await createUser(api.db);
      const { accessToken } = await api.caller().auth.login({ email: user.email, password: TEST_PASSWORD });
      for (let guess = 0; guess < 2; guess++) {
        const attempt = api
          .caller({ accessToken, ip })
          .auth.changePassword({ currentPassword: `nope ${guess}`, newPassword: 'x'.repeat(12) });
        codes.push((await failureOf(attempt)).appCode);
      }
    }
    expect(codes).toEqual(['INVALID_CREDENTIALS', 'INVALID_CREDENTIALS', 'INVALID_CREDENTIALS', 'RATE_LIMITED']);
  } finally {
    await api.close();
  }
}, 120_000);

test('case 51: a full password-hash queue answers SERVER_BUSY with a wait; a login succeeds once it drains', async () => {
  const api = await openTestApi({
    config: createTestApiConfig({ overrides: { passwordHashQueueMax: 2, passwordHashProfile: 'standard' } }),
  });
  try {
    const user = await createUser(api.db);
    // Twenty sign-ins at once from one address: four hash, two wait, the rest are turned away.
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () =>
        failureOf(api.caller({ ip: '198.51.100.1' }).auth.login({ email: uniqueEmail(), password: 'flooding in' })),
      ),
    );
    const busy = outcomes.filter((failure) => failure.appCode === 'SERVER_BUSY');
    expect(busy.length).toBeGreaterThanOrEqual(14);
    for (const failure of busy) {
      expect(failure.code).toBe('SERVICE_UNAVAILABLE');
      expect(failure.retryAfterSeconds).toBeGreaterThan(0);
    }
    expect(outcomes.filter((failure) => failure.appCode === 'INVALID_CREDENTIALS').length).toBeLessThanOrEqual(6);
    // Drained: nothing waits and nothing is left hashing from the flood.
    for (let i = 0; i < 200 && passwordHashLoad().active + passwordHashLoad().waiting > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(passwordHashLoad()).toEqual({ active: 0, waiting: 0 });

    const signedIn = await api
      .caller({ ip: '198.51.100.2' })
      .auth.login({ email: user.email, password: TEST_PASSWORD });
    expect(signedIn.user.email).toBe(user.email);
  } finally {
    await api.close();
  }
}, 120_000);
