import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { sql } from 'kysely';
import { createLogger } from '../src/logger.js';
import { upstreamServerTest } from './helpers/fixtures.js';
import { call } from './helpers/http.js';
import { uniqueEmail } from './helpers/test-server.js';

// Security cases 29 and 30: across whole flows — both transports, the error paths included —
// no response body and no log line carries a password or a saved key, no log line carries a
// token, and the database holds neither plaintext keys nor plaintext refresh tokens.
// Case 62: no log line carries query parameters — council runs and their streams log no message
// text, and a failing query's error (PGlite attaches its parameters) is logged without them.

/** Random throughout, so any 10-character piece of it found somewhere is a leak, not a coincidence. */
const secret = (bytes = 15) => randomBytes(bytes).toString('base64url');
const GOOD_KEY = `sk-or-v1-${randomBytes(24).toString('hex')}`;
const REJECTED_KEY = `sk-or-v1-${randomBytes(24).toString('hex')}`;

/** Every secret a flow handled, by kind. */
const passwords: string[] = [];
const apiKeys = [GOOD_KEY, REJECTED_KEY];
const bodyRefreshTokens: string[] = [];
const cookieRefreshTokens: string[] = [];
const accessTokens: string[] = [];
/** Questions asked, and parameters of a failing query: what case 62 keeps out of the logs. */
const queryData: string[] = [];

const test = upstreamServerTest({ keys: { [GOOD_KEY]: { valid: true } } });

/** The needles of which any piece of `window` characters occurs in the haystack (error messages quote fragments). */
function findIn(haystack: string[], needles: string[], window = 10): string[] {
  return needles.filter((needle) => {
    const pieces = new Set<string>();
    for (let start = 0; start + window <= needle.length; start++) pieces.add(needle.slice(start, start + window));
    return haystack.some((line) => [...pieces].some((piece) => line.includes(piece)));
  });
}

test('a full flow in body transport through the SDK', async ({ server }) => {
  const [first, second, typo] = [secret(), `🔑 ${secret()} with spaces`, secret()];
  passwords.push(first, second, typo);
  const email = uniqueEmail('flow');
  const client = server.client();
  const registered = await client.auth.register.mutate({ email, password: first });
  bodyRefreshTokens.push(registered.refreshToken ?? '');
  accessTokens.push(registered.accessToken);
  await client.auth.me.query();
  await client.settings.saveApiKey.mutate({ provider: 'openrouter', apiKey: GOOD_KEY });
  await client.settings.saveApiKey.mutate({ provider: 'openrouter', apiKey: REJECTED_KEY }).catch(() => undefined);
  await client.settings.listApiKeys.query();
  const conversation = await client.conversations.create.mutate({ title: 'leak check' });
  await client.conversations.list.query();
  await client.conversations.get.query({ id: conversation.id });
  expect(await client.restoreSession()).toBe(true);
  const changed = await client.auth.changePassword.mutate({ currentPassword: first, newPassword: second });
  bodyRefreshTokens.push(changed.refreshToken ?? '');
  accessTokens.push(changed.accessToken);
  await server
    .client()
    .auth.login.mutate({ email, password: typo })
    .catch(() => undefined);
  const login = await server.client().auth.login.mutate({ email, password: second });
  bodyRefreshTokens.push(login.refreshToken ?? '');
  accessTokens.push(login.accessToken);
  await client.auth.logout.mutate();
});

test('a full flow in cookie transport, over raw HTTP as a browser sends it', async ({ server }) => {
  const [first, second] = [secret(), secret()];
  passwords.push(first, second);
  const email = uniqueEmail('browser');
  const headers = { Origin: server.url };
  const registered = await call(server, 'auth.register', {
    input: { email, password: first, transport: 'cookie' },
    headers,
  });
  let cookie = registered.cookies['llmc_refresh'] ?? '';
  cookieRefreshTokens.push(cookie);
  const accessToken = (registered.data as { accessToken: string }).accessToken;
  accessTokens.push(accessToken);
  await call(server, 'settings.saveApiKey', { accessToken, input: { provider: 'openrouter', apiKey: GOOD_KEY } });
  const refreshed = await call(server, 'auth.refresh', {
    input: { transport: 'cookie' },
    headers: { ...headers, Cookie: `llmc_refresh=${cookie}` },
  });
  cookie = refreshed.cookies['llmc_refresh'] ?? '';
  cookieRefreshTokens.push(cookie);
  const changed = await call(server, 'auth.changePassword', {
    accessToken: (refreshed.data as { accessToken: string }).accessToken,
    input: { currentPassword: first, newPassword: second, transport: 'cookie' },
    headers,
  });
  cookieRefreshTokens.push(changed.cookies['llmc_refresh'] ?? '');
  const login = await call(server, 'auth.login', { input: { email, password: second, transport: 'cookie' }, headers });
  cookieRefreshTokens.push(login.cookies['llmc_refresh'] ?? '');
  await call(server, 'auth.logout', {
    input: { transport: 'cookie' },
    headers: { ...headers, Cookie: `llmc_refresh=${cookie}` },
  });
  expect(cookieRefreshTokens.every((token) => token.length > 40)).toBe(true);
});

test('error paths: oversized, malformed and invalid inputs carrying secrets', async ({ server }) => {
  const [long, malformed, invalid] = [secret(200), secret(), secret()];
  expect(long.length).toBeGreaterThan(256);
  passwords.push(long, malformed, invalid);
  await call(server, 'auth.register', { input: { email: uniqueEmail(), password: long } });
  await call(server, 'auth.register', { input: { email: 'not an email', password: invalid } });
  await call(server, 'auth.login', { rawBody: `{"email":"a@b.io","password":"${malformed}"` });
  // JSON.parse quotes the input around an unexpected token in its message.
  await call(server, 'auth.login', { rawBody: `{"email":"a@b.io","password":${malformed}}` });
  await call(server, 'auth.login', { rawBody: JSON.stringify({ password: malformed, padding: 'x'.repeat(600_000) }) });
  await call(server, 'auth.login', { contentType: 'text/plain', rawBody: JSON.stringify({ password: malformed }) });
  await call(server, 'auth.refresh', { input: { transport: 'body', refreshToken: bodyRefreshTokens[0] } });
});

test('a council run, followed over its event stream, with a secret in the question', async ({ server }) => {
  const question = `What is ${secret()}?`;
  queryData.push(question);
  const client = server.client();
  await client.auth.register.mutate({ email: uniqueEmail('run'), password: 'a long passphrase here' });
  await client.settings.saveApiKey.mutate({ provider: 'openrouter', apiKey: GOOD_KEY });
  const conversation = await client.conversations.create.mutate({});
  const types: string[] = [];
  for await (const { event } of client.ask(conversation.id, question)) types.push(event.type);
  expect(types).toContain('run_completed');
});

test('case 62: an internal database error is logged without its query parameters', async ({ server }) => {
  const hash = `$argon2id$v=19$m=65536,t=3,p=4$${secret(24)}`;
  queryData.push(hash);
  const user = await server.db.selectFrom('users').select(['id', 'email']).executeTakeFirstOrThrow();
  // A duplicate primary key: the database refuses it, and PGlite's error carries both values.
  const failure = await sql`insert into users (id, email, password_hash) values (${user.id}, ${user.email}, ${hash})`
    .execute(server.db)
    .then(
      () => null,
      (error: unknown) => error,
    );
  expect(failure).toBeInstanceOf(Error);
  // Logged the way the host logs a failed procedure, by the host's own logger factory.
  const logger = createLogger('info', { write: (line: string) => void server.logs.push(line) });
  logger.error({ err: new Error('procedure failed', { cause: failure }), path: 'test' }, 'procedure failed');
  logger.error({ err: failure }, 'unhandled error');
  expect(server.logs.at(-1)).toContain('23505');
});

test('no log line contains a password, a saved key, a question, a query parameter or a token (cases 29, 62)', ({
  server,
}) => {
  expect(server.logs.length).toBeGreaterThan(20);
  expect(findIn(server.logs, passwords)).toEqual([]);
  expect(findIn(server.logs, apiKeys)).toEqual([]);
  expect(findIn(server.logs, queryData)).toEqual([]);
  expect(findIn(server.logs, [...bodyRefreshTokens, ...cookieRefreshTokens])).toEqual([]);
  // JWT headers are alike for every token, so access tokens are looked for whole.
  expect(accessTokens.filter((token) => server.logs.some((line) => line.includes(token)))).toEqual([]);
});

test('no response body contains a password or a saved key, and cookie-mode bodies no refresh token', ({ server }) => {
  expect(server.responseBodies.length).toBeGreaterThan(20);
  expect(findIn(server.responseBodies, passwords)).toEqual([]);
  expect(findIn(server.responseBodies, apiKeys)).toEqual([]);
  expect(findIn(server.responseBodies, cookieRefreshTokens)).toEqual([]);
});

test('the database holds no plaintext key, password or refresh token', async ({ server }) => {
  const dump = JSON.stringify([
    await server.db.selectFrom('userApiKeys').selectAll().execute(),
    await server.db.selectFrom('refreshTokens').selectAll().execute(),
    await server.db.selectFrom('users').selectAll().execute(),
    await server.db.selectFrom('rateLimits').selectAll().execute(),
  ]);
  expect(dump).toContain('v1.k1.');
  expect(findIn([dump], apiKeys)).toEqual([]);
  expect(findIn([dump], passwords)).toEqual([]);
  expect(findIn([dump], [...bodyRefreshTokens, ...cookieRefreshTokens])).toEqual([]);
});
