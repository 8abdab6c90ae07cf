import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeUpstream } from '@llm-council/council/fake-upstream';
import { createTestDb, isUsingRealPostgres } from '@llm-council/db/testing';
import { createCouncilClient, memoryTokenStore } from '@llm-council/sdk';
import { expect, onTestFinished, test } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { councilEnv, councilReply, followToEnd, newApiKey } from './helpers/council-harness.js';
import { startServerProcess } from './helpers/council-process.js';
import { STRONG_PASSWORD, testSecrets, uniqueEmail } from './helpers/test-server.js';

// Issue 21 §5: WORKERS=N runs N server processes on one machine, each a host of the multi-host
// design, sharing one port and one PostgreSQL.

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'llmc-workers-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('WORKERS is a number of processes or auto (one per core); anything else names the variable', () => {
  const load = (env: Record<string, string>) =>
    loadConfig({ NODE_ENV: 'test', DATA_DIR: tempDir(), ...testSecrets(), ...env });
  const postgres = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres' };
  expect(load({}).workers).toBe(1);
  expect(load({ ...postgres, WORKERS: '3' }).workers).toBe(3);
  expect(load({ ...postgres, WORKERS: 'auto' }).workers).toBe(availableParallelism());
  for (const bad of ['0', 'many', '1.5', '999']) {
    expect(() => load({ ...postgres, WORKERS: bad })).toThrow(/WORKERS/);
  }
});

test('WORKERS=2 on the embedded database is refused at start with a message naming DATABASE_URL', async () => {
  const failure = await startServerProcess({ NODE_ENV: 'test', DATA_DIR: tempDir(), WORKERS: '2', ...testSecrets() })
    .then((server) => server.kill('SIGKILL').then(() => 'it started'))
    .catch((error: unknown) => String(error));
  expect(failure).toContain('exited (1) before listening');
  expect(failure).toContain('WORKERS: 2 processes need PostgreSQL (DATABASE_URL)');
  expect(() => loadConfig({ NODE_ENV: 'test', DATA_DIR: tempDir(), WORKERS: '2', ...testSecrets() })).toThrow(
    ConfigError,
  );
});

test.skipIf(!isUsingRealPostgres())(
  'WORKERS=2 on PostgreSQL: both processes serve, runs are followed across them, SIGTERM stops them all',
  async () => {
    const database = await createTestDb();
    onTestFinished(() => database.close());
    const upstream = await startFakeUpstream({ port: 0, defaultBehavior: { tokenDelayMs: 2, reply: councilReply() } });
    onTestFinished(() => upstream.close());
    const server = await startServerProcess(
      {
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        WORKERS: '2',
        DATABASE_URL: database.url ?? '',
        MAX_CONCURRENT_RUNS_PER_USER: '10',
        ...testSecrets(),
        ...councilEnv(upstream.url),
      },
      90_000,
    );
    onTestFinished(async () => {
      await server.kill('SIGKILL');
    });
    await expect.poll(() => server.output.join(''), { timeout: 60_000 }).toContain('2 server processes are listening');
    const pids = [...server.output.join('').matchAll(/"pid":(\d+),"msg":"LLM Council is listening/g)].map((m) =>
      Number(m[1]),
    );
    expect(new Set(pids).size).toBe(2);
    expect(pids).not.toContain(server.pid);

    // Six users start a run each at once: their connections are spread over both processes.
    const users = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const client = createCouncilClient({ url: server.url, tokenStore: memoryTokenStore(), transport: 'body' });
        await client.auth.register.mutate({ email: uniqueEmail('workers'), password: STRONG_PASSWORD });
        await client.settings.saveApiKey.mutate({ provider: 'openrouter', apiKey: newApiKey() });
        const { id } = await client.conversations.create.mutate({});
        const { runId } = await client.council.start.mutate({ conversationId: id, content: 'Which worker?' });
        return { client, runId };
      }),
    );
    // Each is followed to its end on connections of their own, whichever process they reach.
    const logs = await Promise.all(
      users.map(({ client, runId }) => followToEnd(client, runId, { timeoutMs: 60_000, maxLagMs: 10_000 })),
    );
    for (const log of logs) expect(log.at(-1)?.event.type).toBe('run_completed');
    // Both processes executed runs: each is a host of its own (the run's host names it).
    const hosts = await database.db
      .selectFrom('councilRuns')
      .select('host')
      .where(
        'id',
        'in',
        users.map((u) => u.runId),
      )
      .execute();
    expect(new Set(hosts.map((h) => h.host?.split('-')[0])).size).toBe(2);

    expect(await server.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
  },
  150_000,
);
