import { expect } from 'vitest';
import { TEST_PASSWORD, createUser } from '../testing/factories.js';
import { failureOf } from '../testing/failure-of.js';
import { apiTest as test, type TestApi } from '../testing/test-api.js';

// Security case 6: ten wrong passwords lock an account for the window, whatever address the
// attempts come from. (Retry-After and the per-IP limits behind a proxy need HTTP:
// apps/server/test/auth-rate-limits.test.ts.)

const LOCKOUT_SECONDS = 15 * 60;

function login(api: TestApi, email: string, password: string, ip?: string) {
  return api.caller(ip ? { ip } : {}).auth.login({ email, password, transport: 'body' });
}

async function expectRateLimited(call: Promise<unknown>): Promise<void> {
  const failure = await failureOf(call);
  expect(failure).toMatchObject({ code: 'TOO_MANY_REQUESTS', appCode: 'RATE_LIMITED' });
  expect(failure.retryAfterSeconds).toBeGreaterThan(0);
  expect(failure.retryAfterSeconds).toBeLessThanOrEqual(LOCKOUT_SECONDS);
}

async function expectWrongPassword(call: Promise<unknown>): Promise<void> {
  expect(await failureOf(call)).toMatchObject({ code: 'UNAUTHORIZED', appCode: 'INVALID_CREDENTIALS' });
}

test('ten wrong passwords lock the account: the next attempt is TOO_MANY_REQUESTS with a wait', async ({ api }) => {
  const { email } = await createUser(api.db);
  for (let attempt = 1; attempt <= 10; attempt++) {
    await expectWrongPassword(login(api, email, `wrong guess ${attempt}`));
  }
  await expectRateLimited(login(api, email, 'wrong guess 11'));
  // Locked means locked: the right password does not get through either, nor from another address.
  await expectRateLimited(login(api, email, TEST_PASSWORD));
  await expectRateLimited(login(api, email, TEST_PASSWORD, '203.0.113.77'));
  // Another account is unaffected.
  const other = await createUser(api.db);
  expect((await login(api, other.email, TEST_PASSWORD)).user.email).toBe(other.email);
});

test('the lockout lifts once its window has passed', async ({ api }) => {
  const { email } = await createUser(api.db);
  for (let attempt = 1; attempt <= 10; attempt++) await failureOf(login(api, email, `wrong guess ${attempt}`));
  await expectRateLimited(login(api, email, TEST_PASSWORD));
  api.advanceClock(LOCKOUT_SECONDS + 1);
  try {
    expect((await login(api, email, TEST_PASSWORD)).user.email).toBe(email);
  } finally {
    api.advanceClock(-(LOCKOUT_SECONDS + 1));
  }
});

test('a successful login resets the count of failed attempts', async ({ api }) => {
  const { email } = await createUser(api.db);
  for (let attempt = 1; attempt <= 9; attempt++) await failureOf(login(api, email, `wrong guess ${attempt}`));
  expect((await login(api, email, TEST_PASSWORD)).user.email).toBe(email);
  await expectWrongPassword(login(api, email, 'one more typo'));
  await expectWrongPassword(login(api, email, 'and another typo'));
});

test('thirty guesses at once get ten password checks, not thirty: the attempt is counted before the check', async ({
  api,
}) => {
  const { email } = await createUser(api.db);
  const outcomes = await Promise.all(
    Array.from({ length: 30 }, (_, i) => failureOf(login(api, email, `parallel guess ${i}`))),
  );
  const codes = outcomes.map((failure) => failure.appCode);
  expect(codes.filter((code) => code === 'INVALID_CREDENTIALS')).toHaveLength(10);
  expect(codes.filter((code) => code === 'RATE_LIMITED')).toHaveLength(20);
  await expectRateLimited(login(api, email, TEST_PASSWORD));
});
