import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, type JWTHeaderParameters, type JWTPayload } from 'jose';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { call, expectError, type RawResponse } from './helpers/http.js';
import { STRONG_PASSWORD, registerUser, startTestServer, uniqueEmail, type TestServer } from './helpers/test-server.js';

// Security cases 8–17: every way an access token can be wrong is a 401, never a 500.

let server: TestServer;
let alice: { userId: string; accessToken: string; refreshToken: string };
let bobId: string;

beforeAll(async () => {
  server = await startTestServer();
  const result = await server
    .client()
    .auth.register.mutate({ email: uniqueEmail('alice'), password: STRONG_PASSWORD, transport: 'body' });
  alice = { userId: result.user.id, accessToken: result.accessToken, refreshToken: result.refreshToken ?? '' };
  bobId = (await registerUser(server)).userId;
});
afterAll(async () => {
  await server.close();
});

function me(accessToken: string): Promise<RawResponse> {
  return call(server, 'auth.me', { type: 'query', accessToken });
}

async function expectRejected(accessToken: string): Promise<void> {
  const error = expectError(await me(accessToken), 'UNAUTHORIZED');
  expect(error.data.appCode).toBe('SESSION_EXPIRED');
}

function serverKey() {
  const [key] = server.config.api.jwt.keys;
  if (!key) throw new Error('the test server has no signing key');
  return key;
}

/** A token with the server's real key and claims, unless told otherwise. */
async function forge(
  options: {
    payload?: JWTPayload;
    omit?: string[];
    header?: Partial<JWTHeaderParameters>;
    secret?: Uint8Array;
  } = {},
): Promise<string> {
  const nowSeconds = Math.floor(Date.now() / 1000);
  const payload: JWTPayload = {
    sub: alice.userId,
    iss: 'llm-council',
    aud: 'llm-council',
    typ: 'access',
    iat: nowSeconds,
    exp: nowSeconds + 600,
    jti: randomUUID(),
    ...options.payload,
  };
  for (const claim of options.omit ?? []) delete payload[claim];
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256', kid: serverKey().kid, typ: 'JWT', ...options.header })
    .sign(options.secret ?? serverKey().secret);
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

test('a correctly forged token is accepted, so every rejection below is about the one thing changed', async () => {
  const response = await me(await forge());
  expect(response.status).toBe(200);
  expect(response.data).toMatchObject({ id: alice.userId });
});

test('an expired access token is refused', async () => {
  const nowSeconds = Math.floor(Date.now() / 1000);
  await expectRejected(await forge({ payload: { iat: nowSeconds - 3700, exp: nowSeconds - 60 } }));
});

test('a real access token stops working after its 60 minutes', async () => {
  expect((await me(alice.accessToken)).status).toBe(200);
  server.advanceClock(59 * 60);
  try {
    expect((await me(alice.accessToken)).status).toBe(200);
    server.advanceClock(2 * 60);
    await expectRejected(alice.accessToken);
  } finally {
    server.advanceClock(-61 * 60);
  }
});

test('a token without exp, iat, sub or jti is refused', async () => {
  for (const claim of ['exp', 'iat', 'sub', 'jti']) await expectRejected(await forge({ omit: [claim] }));
});

test('a token not yet valid, or issued in the future beyond the clock skew, is refused', async () => {
  const nowSeconds = Math.floor(Date.now() / 1000);
  await expectRejected(await forge({ payload: { nbf: nowSeconds + 120 } }));
  await expectRejected(await forge({ payload: { iat: nowSeconds + 120, exp: nowSeconds + 3600 } }));
});

test('a token whose payload was edited after signing is refused', async () => {
  const [header, payload, signature] = alice.accessToken.split('.');
  const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as JWTPayload;
  await expectRejected(`${header}.${b64url({ ...claims, sub: bobId })}.${signature}`);
  await expectRejected(`${header}.${b64url({ ...claims, exp: (claims.exp ?? 0) + 86_400 })}.${signature}`);
});

test('an unsigned token (alg none) is refused', async () => {
  const nowSeconds = Math.floor(Date.now() / 1000);
  const claims = { sub: alice.userId, iss: 'llm-council', aud: 'llm-council', typ: 'access', iat: nowSeconds };
  for (const alg of ['none', 'None', 'NONE']) {
    const unsigned = `${b64url({ alg, typ: 'JWT', kid: serverKey().kid })}.${b64url({ ...claims, exp: nowSeconds + 600, jti: randomUUID() })}.`;
    await expectRejected(unsigned);
  }
});

test('a token signed with another secret is refused', async () => {
  await expectRejected(await forge({ secret: randomBytes(48) }));
});

test('a token signed with RS256 or ES256 is refused, even with a matching kid', async () => {
  for (const alg of ['RS256', 'ES256'] as const) {
    const { privateKey, publicKey } = await generateKeyPair(alg);
    const nowSeconds = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ typ: 'access', jti: randomUUID() })
      .setProtectedHeader({ alg, kid: serverKey().kid, jwk: await exportJWK(publicKey) })
      .setSubject(alice.userId)
      .setIssuer('llm-council')
      .setAudience('llm-council')
      .setIssuedAt(nowSeconds)
      .setExpirationTime(nowSeconds + 600)
      .sign(privateKey);
    await expectRejected(token);
  }
});

test('a token signed with the right secret but HS512 is refused (the algorithm is pinned)', async () => {
  await expectRejected(await forge({ header: { alg: 'HS512' } }));
});

test('a token with the wrong issuer, audience or type is refused', async () => {
  await expectRejected(await forge({ payload: { iss: 'someone-else' } }));
  await expectRejected(await forge({ payload: { aud: 'another-app' } }));
  await expectRejected(await forge({ payload: { typ: 'refresh' } }));
  await expectRejected(await forge({ omit: ['typ'] }));
});

test('a refresh token presented as an access token is refused', async () => {
  await expectRejected(alice.refreshToken);
});

test('an unknown, missing or hostile kid is refused', async () => {
  for (const kid of ['k9', '../x', '../../etc/passwd', "'", "' OR '1'='1", '', '\u0000']) {
    await expectRejected(await forge({ header: { kid } }));
  }
  await expectRejected(await forge({ header: { kid: undefined } }));
});

test('garbage, oversized or non-bearer authorization is refused without a server error', async () => {
  for (const token of [
    'x',
    'a.b.c',
    `${'A'.repeat(5000)}.${'B'.repeat(5000)}.C`,
    await forge({ payload: { sub: 'not-a-uuid' } }),
  ]) {
    await expectRejected(token);
  }
  const basic = await call(server, 'auth.me', {
    type: 'query',
    headers: { Authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
  });
  expectError(basic, 'UNAUTHORIZED');
});

test('access tokens issued before a password change are refused, on every device', async () => {
  const email = uniqueEmail('changer');
  const laptop = server.client();
  await laptop.auth.register.mutate({ email, password: STRONG_PASSWORD });
  const phone = await call(server, 'auth.login', { input: { email, password: STRONG_PASSWORD, transport: 'body' } });
  const phoneTokens = phone.data as { accessToken: string; refreshToken: string };
  const laptopOldToken = (await laptop.getAccessToken()) ?? '';
  expect((await me(phoneTokens.accessToken)).status).toBe(200);

  const changed = await laptop.auth.changePassword.mutate({
    currentPassword: STRONG_PASSWORD,
    newPassword: 'a brand new passphrase',
  });
  await expectRejected(laptopOldToken);
  await expectRejected(phoneTokens.accessToken);
  // The phone cannot mint a new access token either: its refresh family was revoked.
  expectError(
    await call(server, 'auth.refresh', { input: { transport: 'body', refreshToken: phoneTokens.refreshToken } }),
    'UNAUTHORIZED',
  );
  // The device that changed the password carries on with its fresh token.
  expect((await me(changed.accessToken)).status).toBe(200);
  expect((await laptop.auth.me.query()).email).toBe(email);
});

test('signing in again within the same second as a password change gives a working session', async () => {
  const email = uniqueEmail('quick');
  const first = server.client();
  await first.auth.register.mutate({ email, password: STRONG_PASSWORD });
  const newPassword = 'another fresh passphrase';
  server.freezeClock();
  try {
    const changed = await call(server, 'auth.changePassword', {
      accessToken: (await first.getAccessToken()) ?? '',
      input: { currentPassword: STRONG_PASSWORD, newPassword, transport: 'body' },
    });
    const changedTokens = changed.data as { accessToken: string; refreshToken: string };
    expect((await me(changedTokens.accessToken)).status).toBe(200);

    const login = await call(server, 'auth.login', { input: { email, password: newPassword, transport: 'body' } });
    expect((await me((login.data as { accessToken: string }).accessToken)).status).toBe(200);

    const refreshed = await call(server, 'auth.refresh', {
      input: { transport: 'body', refreshToken: changedTokens.refreshToken },
    });
    expect((await me((refreshed.data as { accessToken: string }).accessToken)).status).toBe(200);
  } finally {
    server.unfreezeClock();
  }
});

test('the access token of a deleted user is refused, and so is their refresh token', async () => {
  const result = await call(server, 'auth.register', {
    input: { email: uniqueEmail('leaver'), password: STRONG_PASSWORD, transport: 'body' },
  });
  const tokens = result.data as { user: { id: string }; accessToken: string; refreshToken: string };
  expect((await me(tokens.accessToken)).status).toBe(200);
  await server.db.deleteFrom('users').where('id', '=', tokens.user.id).execute();
  await expectRejected(tokens.accessToken);
  expectError(
    await call(server, 'auth.refresh', { input: { transport: 'body', refreshToken: tokens.refreshToken } }),
    'UNAUTHORIZED',
  );
});
