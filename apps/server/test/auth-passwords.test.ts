import { afterAll, beforeAll, expect, test } from 'vitest';
import { call, expectError, failureOf } from './helpers/http.js';
import { STRONG_PASSWORD, registerUser, startTestServer, uniqueEmail, type TestServer } from './helpers/test-server.js';

// Security cases 1, 2, 3, 5 and 7: what register, login and changePassword accept.

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

async function countUsers(email: string): Promise<number> {
  const rows = await server.db.selectFrom('users').select('id').where('email', '=', email.toLowerCase()).execute();
  return rows.length;
}

test('register refuses a 7-character password and names the password field', async () => {
  const email = uniqueEmail();
  const failure = await failureOf(server.client().auth.register.mutate({ email, password: 'kx7#qpz' }));
  expect(failure.code).toBe('BAD_REQUEST');
  expect(failure.fieldErrors?.['password']?.join(' ')).toMatch(/at least 8/);
  expect(await countUsers(email)).toBe(0);
});

test('passwords of exactly 8, 64 and 256 characters register and sign in', async () => {
  for (const password of ['kx7#qpzw', 'Lq9'.repeat(21) + 'z', 'm2V!'.repeat(64)]) {
    const email = uniqueEmail();
    await server.client().auth.register.mutate({ email, password });
    const login = await server.client().auth.login.mutate({ email, password });
    expect(login.user.email).toBe(email);
  }
});

test('a 257-character password is refused before any hashing happens', async () => {
  const email = uniqueEmail();
  // What hashing costs on this machine right now: one register that does hash.
  const hashedStart = performance.now();
  await server.client().auth.register.mutate({ email: uniqueEmail(), password: 'Zt8^'.repeat(20) });
  const hashedMs = performance.now() - hashedStart;

  const start = performance.now();
  const failure = await failureOf(server.client().auth.register.mutate({ email, password: 'a'.repeat(257) }));
  const refusedMs = performance.now() - start;
  expect(failure.code).toBe('BAD_REQUEST');
  expect(failure.fieldErrors?.['password']?.join(' ')).toMatch(/at most 256/);
  expect(refusedMs).toBeLessThan(hashedMs / 2);
  expect(await countUsers(email)).toBe(0);

  // Login caps the length the same way, so a huge password costs nothing there either.
  const login = await failureOf(server.client().auth.login.mutate({ email, password: 'a'.repeat(100_000) }));
  expect(login.code).toBe('BAD_REQUEST');
});

test('a password with emoji and spaces works exactly as typed, and its trimmed form is refused', async () => {
  const email = uniqueEmail();
  const password = '  🦊 lantern   over 🌊 the quay  ';
  await server.client().auth.register.mutate({ email, password });
  const login = await server.client().auth.login.mutate({ email, password });
  expect(login.user.email).toBe(email);

  const trimmed = await failureOf(server.client().auth.login.mutate({ email, password: password.trim() }));
  expect(trimmed.code).toBe('UNAUTHORIZED');
  expect(trimmed.appCode).toBe('INVALID_CREDENTIALS');
});

test('a password typed with decomposed accents signs in to an account registered with composed ones', async () => {
  const email = uniqueEmail();
  const composed = 'crème brûlée à la carte'.normalize('NFC');
  const decomposed = composed.normalize('NFD');
  expect(decomposed).not.toBe(composed);
  await server.client().auth.register.mutate({ email, password: composed });
  const login = await server.client().auth.login.mutate({ email, password: decomposed });
  expect(login.user.email).toBe(email);
});

test('register refuses a top-common password with a reason the user can act on', async () => {
  for (const password of ['password123', 'Password123']) {
    const email = uniqueEmail();
    const failure = await failureOf(server.client().auth.register.mutate({ email, password }));
    expect(failure.code).toBe('BAD_REQUEST');
    expect(failure.appCode).toBe('WEAK_PASSWORD');
    expect(failure.message).toMatch(/common/i);
    expect(await countUsers(email)).toBe(0);
  }
});

test('changing to a top-common password is refused and the current password keeps working', async () => {
  const { client, email } = await registerUser(server);
  const failure = await failureOf(
    client.auth.changePassword.mutate({ currentPassword: STRONG_PASSWORD, newPassword: 'password123' }),
  );
  expect(failure.code).toBe('BAD_REQUEST');
  expect(failure.appCode).toBe('WEAK_PASSWORD');
  const login = await server.client().auth.login.mutate({ email, password: STRONG_PASSWORD });
  expect(login.user.email).toBe(email);
});

test('an email registered in one letter case cannot be registered again in another', async () => {
  const local = uniqueEmail('Case').split('@')[0] ?? 'case';
  await server.client().auth.register.mutate({ email: `${local}@X.io`, password: STRONG_PASSWORD });
  for (const variant of [`${local.toUpperCase()}@x.io`, ` ${local.toLowerCase()}@x.IO `]) {
    const failure = await failureOf(
      server.client().auth.register.mutate({ email: variant, password: STRONG_PASSWORD }),
    );
    expect(failure.code).toBe('CONFLICT');
    expect(failure.appCode).toBe('EMAIL_TAKEN');
  }
  expect(await countUsers(`${local}@x.io`)).toBe(1);
  // The address is one account whatever the case it is typed in.
  const login = await server
    .client()
    .auth.login.mutate({ email: `  ${local.toUpperCase()}@X.IO`, password: STRONG_PASSWORD });
  expect(login.user.email).toBe(`${local.toLowerCase()}@x.io`);
});

test('register names the offending field for a malformed email, a missing field and a wrong type', async () => {
  const malformed = expectError(
    await call(server, 'auth.register', { input: { email: 'not-an-email', password: STRONG_PASSWORD } }),
    'BAD_REQUEST',
  );
  expect(Object.keys(malformed.data.fieldErrors ?? {})).toEqual(['email']);
  expect(malformed.message).toMatch(/email/);

  const missing = expectError(await call(server, 'auth.register', { input: { email: uniqueEmail() } }), 'BAD_REQUEST');
  expect(Object.keys(missing.data.fieldErrors ?? {})).toEqual(['password']);

  const wrongType = expectError(
    await call(server, 'auth.register', { input: { email: uniqueEmail(), password: 12345678 } }),
    'BAD_REQUEST',
  );
  expect(Object.keys(wrongType.data.fieldErrors ?? {})).toEqual(['password']);

  const notAnObject = expectError(await call(server, 'auth.login', { input: ['a@x.io', 'pw'] }), 'BAD_REQUEST');
  expect(notAnObject.data.appCode).toBe('VALIDATION_FAILED');
});

test('register refuses an extra field and names it', async () => {
  const email = uniqueEmail();
  const response = await call(server, 'auth.register', {
    input: { email, password: STRONG_PASSWORD, isAdmin: true },
  });
  const error = expectError(response, 'BAD_REQUEST');
  expect(error.message).toContain('isAdmin');
  expect(await countUsers(email)).toBe(0);
});

test('login with a missing password names the password field', async () => {
  const error = expectError(await call(server, 'auth.login', { input: { email: uniqueEmail() } }), 'BAD_REQUEST');
  expect(Object.keys(error.data.fieldErrors ?? {})).toEqual(['password']);
});
