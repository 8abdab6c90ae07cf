import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb } from '@llm-council/db';
import { createTestDb, isUsingRealPostgres } from '@llm-council/db/testing';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { call, expectError, type HttpTarget, type RawResponse } from './helpers/http.js';
import { STRONG_PASSWORD, startTestServer, testSecrets, uniqueEmail, type TestServer } from './helpers/test-server.js';

// Several hosts on one PostgreSQL (the scaled-out deployment): sessions, revocation and rate
// limits live in the database, so every host sees the same truth. Only with TEST_DATABASE_URL.

const usesPostgres = isUsingRealPostgres();
const secrets = testSecrets();

let primary: Awaited<ReturnType<typeof createTestDb>> | undefined;
let secondaryHandle: Awaited<ReturnType<typeof createDb>> | undefined;
let hostA: TestServer;
let hostB: TestServer;

beforeAll(async () => {
  if (!usesPostgres) return;
  primary = await createTestDb();
  // A second, independent connection pool on the same database: another host's view.
  secondaryHandle = await createDb({ databaseUrl: primary.url, dataDir: 'memory://' });
  hostA = await startTestServer({ dbHandle: primary, env: secrets });
  hostB = await startTestServer({ dbHandle: { ...secondaryHandle, url: primary.url }, env: secrets });
});
afterAll(async () => {
  if (!usesPostgres) return;
  await hostA.close();
  await hostB.close();
  await secondaryHandle?.close();
  await primary?.close();
});

interface Tokens {
  accessToken: string;
  refreshToken: string;
  user: { id: string; email: string };
}

async function register(host: HttpTarget): Promise<Tokens> {
  const response = await call(host, 'auth.register', {
    input: { email: uniqueEmail('multi'), password: STRONG_PASSWORD, transport: 'body' },
  });
  expect(response.status, response.text).toBe(200);
  return response.data as Tokens;
}

const me = (host: HttpTarget, accessToken: string) => call(host, 'auth.me', { type: 'query', accessToken });
const refresh = (host: TestServer, refreshToken: string) =>
  call(host, 'auth.refresh', { input: { transport: 'body', refreshToken } });

test.skipIf(!usesPostgres)('a token minted by one host works on the other, and so does its refresh token', async () => {
  const tokens = await register(hostA);
  const onB = await me(hostB, tokens.accessToken);
  expect(onB.status).toBe(200);
  expect(onB.data).toMatchObject({ id: tokens.user.id });

  const refreshed = await refresh(hostB, tokens.refreshToken);
  expect(refreshed.status).toBe(200);
  expect((await me(hostA, (refreshed.data as Tokens).accessToken)).status).toBe(200);
  // The rotation on B is visible to A: the old token is now a rotated one there too.
  const conversation = await call(hostB, 'conversations.create', {
    accessToken: tokens.accessToken,
    input: { title: 'made on B' },
  });
  const onA = await call(hostA, 'conversations.list', { type: 'query', accessToken: tokens.accessToken });
  expect(onA.data).toMatchObject({ items: [{ id: (conversation.data as { id: string }).id, title: 'made on B' }] });
});

test.skipIf(!usesPostgres)('logout on one host is seen by the other', async () => {
  const tokens = await register(hostA);
  const rotated = (await refresh(hostA, tokens.refreshToken)).data as Tokens;
  expect(
    (await call(hostB, 'auth.logout', { input: { transport: 'body', refreshToken: rotated.refreshToken } })).status,
  ).toBe(200);
  expectError(await refresh(hostA, rotated.refreshToken), 'UNAUTHORIZED');
  expectError(await refresh(hostA, tokens.refreshToken), 'UNAUTHORIZED');
});

test.skipIf(!usesPostgres)(
  'parallel refreshes of one token spread over two hosts leave exactly one live token',
  async () => {
    const tokens = await register(hostA);
    const responses: RawResponse[] = await Promise.all(
      Array.from({ length: 10 }, (_, i) => refresh(i % 2 ? hostB : hostA, tokens.refreshToken)),
    );
    for (const response of responses) expect([200, 401], response.text).toContain(response.status);
    expect(responses.some((r) => r.status === 200)).toBe(true);
    const family = await hostA.db
      .selectFrom('refreshTokens')
      .select(['parentId', 'rotatedAt', 'revokedAt'])
      .where('userId', '=', tokens.user.id)
      .execute();
    expect(family.filter((r) => r.rotatedAt === null && r.revokedAt === null)).toHaveLength(1);
    const parents = family.map((r) => r.parentId).filter((id) => id !== null);
    expect(new Set(parents).size).toBe(parents.length);
  },
);

test.skipIf(!usesPostgres)('failed logins count across hosts: the lockout holds on every host', async () => {
  const tokens = await register(hostA);
  const login = (host: TestServer, password: string) =>
    call(host, 'auth.login', { input: { email: tokens.user.email, password, transport: 'body' } });
  for (let attempt = 0; attempt < 10; attempt++) {
    expectError(await login(attempt % 2 ? hostB : hostA, `wrong ${attempt}`), 'UNAUTHORIZED');
  }
  expectError(await login(hostA, STRONG_PASSWORD), 'TOO_MANY_REQUESTS');
  expectError(await login(hostB, STRONG_PASSWORD), 'TOO_MANY_REQUESTS');
});

/** `node --import tsx src/main.ts`, the way an operator runs a second instance; resolves once it listens. */
async function spawnServerProcess(
  databaseUrl: string,
): Promise<{ url: string; child: ChildProcess; output: string[] }> {
  const output: string[] = [];
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: join(import.meta.dirname, '..'),
    env: {
      PATH: process.env['PATH'],
      NODE_ENV: 'production',
      REGISTRATION: 'open',
      HOST: '127.0.0.1',
      PORT: '0',
      DATABASE_URL: databaseUrl,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'llmc-child-')),
      LOG_LEVEL: 'info',
      ...secrets,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child did not start:\n${output.join('')}`)), 45_000);
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(output.join(''));
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child exited with ${code}:\n${output.join('')}`));
    });
  });
  return { url, child, output };
}

test.skipIf(!usesPostgres)(
  'a separate server process on the same database accepts tokens and sees logouts',
  async () => {
    const { url, child, output } = await spawnServerProcess(primary?.url ?? '');
    try {
      const processHost: HttpTarget = { url, responseBodies: [] };
      const tokens = await register(hostA);
      expect((await me(processHost, tokens.accessToken)).data).toMatchObject({ id: tokens.user.id });

      const fromProcess = await register(processHost);
      expect((await me(hostA, fromProcess.accessToken)).status).toBe(200);
      await call(processHost, 'auth.logout', { input: { transport: 'body', refreshToken: tokens.refreshToken } });
      expectError(await refresh(hostA, tokens.refreshToken), 'UNAUTHORIZED');
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const code = await exited;
      expect(code, output.join('')).toBe(0);
    }
  },
);
