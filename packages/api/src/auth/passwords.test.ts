import type { Kysely } from 'kysely';
import type { Database } from '@llm-council/db';
import { expect, test as plainTest } from 'vitest';
import { TEST_PASSWORD, uniqueEmail } from '../testing/factories.js';
import { failureOf } from '../testing/failure-of.js';
import { apiTest as test } from '../testing/test-api.js';
import { burnPasswordCheck, hashPassword, setPasswordHashProfile, verifyPassword } from './passwords.js';

// Security cases 1, 2, 3, 5 and 7: what register, login and changePassword accept — length
// bounds checked before hashing, passwords used exactly as typed (NFC), common passwords refused,
// emails one account whatever their case, and every refusal naming the field to fix.

async function countUsers(api: { db: Kysely<Database> }, email: string): Promise<number> {
  const rows = await api.db.selectFrom('users').select('id').where('email', '=', email.toLowerCase()).execute();
  return rows.length;
}

test('register refuses a 7-character password and names the password field', async ({ api }) => {
  const email = uniqueEmail();
  const failure = await failureOf(api.caller().auth.register({ email, password: 'kx7#qpz' }));
  expect(failure.code).toBe('BAD_REQUEST');
  expect(failure.fieldErrors?.['password']?.join(' ')).toMatch(/at least 8/);
  expect(await countUsers(api, email)).toBe(0);
});

test('passwords of exactly 8, 64 and 256 characters register and sign in', async ({ api }) => {
  for (const password of ['kx7#qpzw', 'Lq9'.repeat(21) + 'z', 'm2V!'.repeat(64)]) {
    const email = uniqueEmail();
    await api.caller().auth.register({ email, password });
    const login = await api.caller().auth.login({ email, password });
    expect(login.user.email).toBe(email);
  }
});

test('a 257-character password is refused before any hashing happens', async ({ api }) => {
  const email = uniqueEmail();
  // What hashing costs on this machine right now: one register that does hash.
  const hashedStart = performance.now();
  await api.caller().auth.register({ email: uniqueEmail(), password: 'Zt8^'.repeat(20) });
  const hashedMs = performance.now() - hashedStart;

  const start = performance.now();
  const failure = await failureOf(api.caller().auth.register({ email, password: 'a'.repeat(257) }));
  const refusedMs = performance.now() - start;
  expect(failure.code).toBe('BAD_REQUEST');
  expect(failure.fieldErrors?.['password']?.join(' ')).toMatch(/at most 256/);
  expect(refusedMs).toBeLessThan(hashedMs / 2);
  expect(await countUsers(api, email)).toBe(0);

  // Login caps the length the same way, so a huge password costs nothing there either.
  const login = await failureOf(api.caller().auth.login({ email, password: 'a'.repeat(100_000) }));
  expect(login.code).toBe('BAD_REQUEST');
});

test('a password with emoji and spaces works exactly as typed, and its trimmed form is refused', async ({ api }) => {
  const email = uniqueEmail();
  const password = '  🦊 lantern   over 🌊 the quay  ';
  await api.caller().auth.register({ email, password });
  const login = await api.caller().auth.login({ email, password });
  expect(login.user.email).toBe(email);

  const trimmed = await failureOf(api.caller().auth.login({ email, password: password.trim() }));
  expect(trimmed.code).toBe('UNAUTHORIZED');
  expect(trimmed.appCode).toBe('INVALID_CREDENTIALS');
});

test('a password typed with decomposed accents signs in to an account registered with composed ones', async ({
  api,
}) => {
  const email = uniqueEmail();
  const composed = 'crème brûlée à la carte'.normalize('NFC');
  const decomposed = composed.normalize('NFD');
  expect(decomposed).not.toBe(composed);
  await api.caller().auth.register({ email, password: composed });
  const login = await api.caller().auth.login({ email, password: decomposed });
  expect(login.user.email).toBe(email);
});

test('register refuses a top-common password with a reason the user can act on', async ({ api }) => {
  for (const password of ['password123', 'Password123']) {
    const email = uniqueEmail();
    const failure = await failureOf(api.caller().auth.register({ email, password }));
    expect(failure.code).toBe('BAD_REQUEST');
    expect(failure.appCode).toBe('WEAK_PASSWORD');
    expect(failure.message).toMatch(/common/i);
    expect(await countUsers(api, email)).toBe(0);
  }
});

test('changing to a top-common password is refused and the current password keeps working', async ({ api }) => {
  const { user, caller } = await api.signUp();
  const { email } = user;
  const failure = await failureOf(
    caller.auth.changePassword({ currentPassword: TEST_PASSWORD, newPassword: 'password123' }),
  );
  expect(failure.code).toBe('BAD_REQUEST');
  expect(failure.appCode).toBe('WEAK_PASSWORD');
  const login = await api.caller().auth.login({ email, password: TEST_PASSWORD });
  expect(login.user.email).toBe(email);
});

test('an email registered in one letter case cannot be registered again in another', async ({ api }) => {
  const local = uniqueEmail('Case').split('@')[0] ?? 'case';
  await api.caller().auth.register({ email: `${local}@X.io`, password: TEST_PASSWORD });
  for (const variant of [`${local.toUpperCase()}@x.io`, ` ${local.toLowerCase()}@x.IO `]) {
    const failure = await failureOf(api.caller().auth.register({ email: variant, password: TEST_PASSWORD }));
    expect(failure.code).toBe('CONFLICT');
    expect(failure.appCode).toBe('EMAIL_TAKEN');
  }
  expect(await countUsers(api, `${local}@x.io`)).toBe(1);
  // The address is one account whatever the case it is typed in.
  const login = await api.caller().auth.login({ email: `  ${local.toUpperCase()}@X.IO`, password: TEST_PASSWORD });
  expect(login.user.email).toBe(`${local.toLowerCase()}@x.io`);
});

test('register names the offending field for a malformed email, a missing field and a wrong type', async ({ api }) => {
  const malformed = await failureOf(api.caller().auth.register({ email: 'not-an-email', password: TEST_PASSWORD }));
  expect(Object.keys(malformed.fieldErrors ?? {})).toEqual(['email']);
  expect(malformed.message).toMatch(/email/);

  const missing = await failureOf(api.caller().auth.register({ email: uniqueEmail() } as never));
  expect(Object.keys(missing.fieldErrors ?? {})).toEqual(['password']);

  const wrongType = await failureOf(api.caller().auth.register({ email: uniqueEmail(), password: 12345678 } as never));
  expect(Object.keys(wrongType.fieldErrors ?? {})).toEqual(['password']);

  const notAnObject = await failureOf(api.caller().auth.login(['a@x.io', 'pw'] as never));
  expect(notAnObject.appCode).toBe('VALIDATION_FAILED');
});

test('register refuses an extra field and names it', async ({ api }) => {
  const email = uniqueEmail();
  const error = await failureOf(api.caller().auth.register({ email, password: TEST_PASSWORD, isAdmin: true } as never));
  expect(error.code).toBe('BAD_REQUEST');
  expect(error.message).toContain('isAdmin');
  expect(await countUsers(api, email)).toBe(0);
});

test('login with a missing password names the password field', async ({ api }) => {
  const error = await failureOf(api.caller().auth.login({ email: uniqueEmail() } as never));
  expect(Object.keys(error.fieldErrors ?? {})).toEqual(['password']);
});

// Test files share a process (isolate: false), and a server sets the hash profile it was given: the
// throwaway hash an unknown email is checked against must cost what the profile in force costs, or
// the timing of a login would tell registered emails apart after a cheap-profile file ran first.
plainTest('the unknown-email check costs what the current profile costs, after another profile ran', async () => {
  try {
    setPasswordHashProfile('insecure-test');
    await burnPasswordCheck('warm the cheap dummy hash');
    setPasswordHashProfile('standard');
    const real = await hashPassword('a standard-cost password');
    const verifyStart = performance.now();
    await verifyPassword(real, 'a wrong guess');
    const verifyMs = performance.now() - verifyStart;
    await burnPasswordCheck('first check: builds the standard dummy hash');
    const burnStart = performance.now();
    await burnPasswordCheck('an unknown email');
    expect(performance.now() - burnStart).toBeGreaterThan(verifyMs / 3);
  } finally {
    setPasswordHashProfile('insecure-test');
  }
});
