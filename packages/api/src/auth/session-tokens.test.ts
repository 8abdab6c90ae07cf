import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT, decodeJwt, exportJWK, generateKeyPair, type JWTHeaderParameters, type JWTPayload } from 'jose';
import { expect } from 'vitest';
import { TEST_PASSWORD, createUser } from '../testing/factories.js';
import { failureOf } from '../testing/failure-of.js';
import { apiTest, type TestApi } from '../testing/test-api.js';

// Security cases 8–17: every way an session token can be wrong is a 401, never a 500. (A
// non-bearer Authorization header is the host's to parse: apps/server/test/http-hardening.)

interface SignedIn {
  userId: string;
  accessToken: string;
  refreshToken: string | null;
}

function signIn(api: TestApi, email: string) {
  return api.caller().auth.login({ email, password: TEST_PASSWORD, transport: 'body' });
}

/** The file's user, signed in once as a Node client would be (refresh token in the body). */
const test = apiTest.extend('alice', { scope: 'file' }, async ({ api }): Promise<SignedIn> => {
  const user = await createUser(api.db);
  const { accessToken, refreshToken } = await signIn(api, user.email);
  return { userId: user.id, accessToken, refreshToken };
});

function me(api: TestApi, accessToken: string) {
  return api.caller({ accessToken }).auth.me();
}

async function expectAccepted(api: TestApi, accessToken: string): Promise<void> {
  expect(await me(api, accessToken)).toHaveProperty('id');
}

async function expectRejected(api: TestApi, accessToken: string): Promise<void> {
  const failure = await failureOf(me(api, accessToken));
  expect(failure).toMatchObject({ code: 'UNAUTHORIZED', appCode: 'SESSION_EXPIRED' });
}

function serverKey(api: TestApi) {
  const [key] = api.config.jwt.keys;
  if (!key) throw new Error('the test configuration has no signing key');
  return key;
}

/** A token with the API's real key and claims, unless told otherwise. */
async function forge(
  api: TestApi,
  alice: SignedIn,
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
    // Alice's real session and epoch: a forged token differs from hers only where a test says so.
    sid: decodeJwt(alice.accessToken)['sid'],
    sep: decodeJwt(alice.accessToken)['sep'],
    ...options.payload,
  };
  for (const claim of options.omit ?? []) delete payload[claim];
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256', kid: serverKey(api).kid, typ: 'JWT', ...options.header })
    .sign(options.secret ?? serverKey(api).secret);
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

test('a correctly forged token is accepted, so every rejection below is about the one thing changed', async ({
  api,
  alice,
}) => {
  expect(await me(api, await forge(api, alice))).toMatchObject({ id: alice.userId });
});

test('an expired session token is refused', async ({ api, alice }) => {
  const nowSeconds = Math.floor(Date.now() / 1000);
  await expectRejected(api, await forge(api, alice, { payload: { iat: nowSeconds - 3700, exp: nowSeconds - 60 } }));
});

test('a real session token stops working after its 60 minutes', async ({ api, alice }) => {
  await expectAccepted(api, alice.accessToken);
  api.advanceClock(59 * 60);
  try {
    await expectAccepted(api, alice.accessToken);
    api.advanceClock(2 * 60);
    await expectRejected(api, alice.accessToken);
  } finally {
    api.advanceClock(-61 * 60);
  }
});

test('a token without exp, iat, sub, jti, session id or session epoch is refused', async ({ api, alice }) => {
  for (const claim of ['exp', 'iat', 'sub', 'jti', 'sid', 'sep'])
    await expectRejected(api, await forge(api, alice, { omit: [claim] }));
});

test('a token not yet valid, or issued in the future beyond the clock skew, is refused', async ({ api, alice }) => {
  const nowSeconds = Math.floor(Date.now() / 1000);
  await expectRejected(api, await forge(api, alice, { payload: { nbf: nowSeconds + 120 } }));
  await expectRejected(api, await forge(api, alice, { payload: { iat: nowSeconds + 120, exp: nowSeconds + 3600 } }));
});

test('a token whose payload was edited after signing is refused', async ({ api, alice }) => {
  const [header, payload, signature] = alice.accessToken.split('.');
  const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as JWTPayload;
  await expectRejected(api, `${header}.${b64url({ ...claims, sub: (await createUser(api.db)).id })}.${signature}`);
  await expectRejected(api, `${header}.${b64url({ ...claims, exp: (claims.exp ?? 0) + 86_400 })}.${signature}`);
});

test('an unsigned token (alg none) is refused', async ({ api, alice }) => {
  const nowSeconds = Math.floor(Date.now() / 1000);
  const claims = { sub: alice.userId, iss: 'llm-council', aud: 'llm-council', typ: 'access', iat: nowSeconds };
  for (const alg of ['none', 'None', 'NONE']) {
    const unsigned = `${b64url({ alg, typ: 'JWT', kid: serverKey(api).kid })}.${b64url({ ...claims, exp: nowSeconds + 600, jti: randomUUID() })}.`;
    await expectRejected(api, unsigned);
  }
});

test('a token signed with another secret is refused', async ({ api, alice }) => {
  await expectRejected(api, await forge(api, alice, { secret: randomBytes(48) }));
});

test('a token signed with RS256 or ES256 is refused, even with a matching kid', async ({ api, alice }) => {
  for (const alg of ['RS256', 'ES256'] as const) {
    const { privateKey, publicKey } = await generateKeyPair(alg);
    const nowSeconds = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ typ: 'access', jti: randomUUID() })
      .setProtectedHeader({ alg, kid: serverKey(api).kid, jwk: await exportJWK(publicKey) })
      .setSubject(alice.userId)
      .setIssuer('llm-council')
      .setAudience('llm-council')
      .setIssuedAt(nowSeconds)
      .setExpirationTime(nowSeconds + 600)
      .sign(privateKey);
    await expectRejected(api, token);
  }
});

test('a token signed with the right secret but HS512 is refused (the algorithm is pinned)', async ({ api, alice }) => {
  await expectRejected(api, await forge(api, alice, { header: { alg: 'HS512' } }));
});

test('a token with the wrong issuer, audience or type is refused', async ({ api, alice }) => {
  await expectRejected(api, await forge(api, alice, { payload: { iss: 'someone-else' } }));
  await expectRejected(api, await forge(api, alice, { payload: { aud: 'another-app' } }));
  await expectRejected(api, await forge(api, alice, { payload: { typ: 'refresh' } }));
  await expectRejected(api, await forge(api, alice, { omit: ['typ'] }));
});

test('a refresh token presented as an session token is refused', async ({ api, alice }) => {
  await expectRejected(api, alice.refreshToken ?? '');
});

test('an unknown, missing or hostile kid is refused', async ({ api, alice }) => {
  for (const kid of ['k9', '../x', '../../etc/passwd', "'", "' OR '1'='1", '', '\u0000']) {
    await expectRejected(api, await forge(api, alice, { header: { kid } }));
  }
  await expectRejected(api, await forge(api, alice, { header: { kid: undefined } }));
});

test('a garbage or oversized bearer token is refused without a server error', async ({ api, alice }) => {
  for (const token of [
    'x',
    'a.b.c',
    `${'A'.repeat(5000)}.${'B'.repeat(5000)}.C`,
    await forge(api, alice, { payload: { sub: 'not-a-uuid' } }),
    await forge(api, alice, { payload: { sid: 'not-a-uuid' } }),
    await forge(api, alice, { payload: { sep: 'one' } }),
  ]) {
    await expectRejected(api, token);
  }
});

test('session tokens issued before a password change are refused, on every device', async ({ api }) => {
  const user = await createUser(api.db);
  const laptop = await signIn(api, user.email);
  const phone = await signIn(api, user.email);
  await expectAccepted(api, phone.accessToken);

  const changed = await api.caller({ accessToken: laptop.accessToken }).auth.changePassword({
    currentPassword: TEST_PASSWORD,
    newPassword: 'a brand new passphrase',
    transport: 'body',
  });
  await expectRejected(api, laptop.accessToken);
  await expectRejected(api, phone.accessToken);
  // The phone cannot mint a new session token either: its refresh family was revoked.
  const refresh = await failureOf(
    api.caller().auth.refresh({ transport: 'body', refreshToken: phone.refreshToken ?? '' }),
  );
  expect(refresh.code).toBe('UNAUTHORIZED');
  // The device that changed the password carries on with its fresh token.
  expect((await me(api, changed.accessToken)).email).toBe(user.email);
});

test('signing in again within the same second as a password change gives a working session', async ({ api }) => {
  const user = await createUser(api.db);
  const first = await signIn(api, user.email);
  const newPassword = 'another fresh passphrase';
  api.freezeClock();
  try {
    const changed = await api.caller({ accessToken: first.accessToken }).auth.changePassword({
      currentPassword: TEST_PASSWORD,
      newPassword,
      transport: 'body',
    });
    await expectAccepted(api, changed.accessToken);

    const login = await api.caller().auth.login({ email: user.email, password: newPassword, transport: 'body' });
    await expectAccepted(api, login.accessToken);

    const refreshed = await api.caller().auth.refresh({ transport: 'body', refreshToken: changed.refreshToken ?? '' });
    await expectAccepted(api, refreshed.accessToken);
  } finally {
    api.unfreezeClock();
  }
});

test('the session token of a deleted user is refused, and so is their refresh token', async ({ api }) => {
  const user = await createUser(api.db);
  const tokens = await signIn(api, user.email);
  await expectAccepted(api, tokens.accessToken);
  await api.db.deleteFrom('users').where('id', '=', user.id).execute();
  await expectRejected(api, tokens.accessToken);
  const refresh = await failureOf(
    api.caller().auth.refresh({ transport: 'body', refreshToken: tokens.refreshToken ?? '' }),
  );
  expect(refresh.code).toBe('UNAUTHORIZED');
});
