import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeUpstream, type FakeUpstream } from '@llm-council/council/fake-upstream';
import { createTestDb, isUsingRealPostgres } from '@llm-council/db/testing';
import { createCouncilClient, memoryTokenStore, type CouncilClient } from '@llm-council/sdk';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { councilEnv, councilReply, followToEnd, newApiKey, sleep } from '../test/helpers/council-harness.js';
import { startServerProcess, type ServerProcess } from '../test/helpers/council-process.js';
import { STRONG_PASSWORD, testSecrets, uniqueEmail } from '../test/helpers/test-server.js';
import { longAnswers } from './fault-harness.js';

// The host process itself goes away: a SIGTERM with 50 live runs (graceful shutdown), and — on
// the embedded database — SIGKILL at random moments, 20 times in a row.

let upstream: FakeUpstream;
const running = new Set<ServerProcess>();

beforeAll(async () => {
  upstream = await startFakeUpstream({ port: 0, defaultBehavior: { tokenDelayMs: 1, reply: councilReply() } });
});
afterAll(async () => {
  await Promise.all([...running].map((p) => p.kill('SIGKILL')));
  await upstream.close();
});

async function startHost(env: Record<string, string>): Promise<ServerProcess> {
  const host = await startServerProcess(env, 90_000);
  running.add(host);
  void host.exited.then(() => running.delete(host));
  return host;
}

interface User {
  tokenStore: ReturnType<typeof memoryTokenStore>;
  /** This user's client for a host (the session travels with the token store). */
  on(url: string): CouncilClient;
}

/** Signs up `count` users with a key each, through the given host. */
async function signUp(url: string, count: number): Promise<User[]> {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const tokenStore = memoryTokenStore();
      const on = (target: string) => createCouncilClient({ url: target, tokenStore, transport: 'body' });
      const client = on(url);
      await client.auth.register.mutate({ email: uniqueEmail('faults'), password: STRONG_PASSWORD });
      await client.settings.saveApiKey.mutate({ provider: 'openrouter', apiKey: newApiKey() });
      return { tokenStore, on };
    }),
  );
}

async function startRuns(url: string, users: User[], count: number) {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const user = users[i % users.length]!;
      const client = user.on(url);
      const { id } = await client.conversations.create.mutate({});
      const { runId } = await client.council.start.mutate({ conversationId: id, content: `Host fault ${i}?` });
      return { user, runId };
    }),
  );
}

/**
 * After a restart: the run is settled (`expected` statuses), its stored log is whole, and every
 * answer the log calls complete is stored word for word.
 */
async function expectSettledIntact(client: CouncilClient, runId: string, expected: string[]): Promise<void> {
  const view = await client.council.get.query({ runId });
  expect(expected).toContain(view.status);
  const log = await followToEnd(client, runId, { maxLagMs: Number.POSITIVE_INFINITY });
  expectWholeLog(log, `run_${view.status}`);
  for (const { event } of log) {
    if (event.type === 'model_completed' && event.stage === 'stage1') {
      expect(view.stage1.find((s) => s.model === event.model)?.content).toBe(event.content);
    }
  }
}

/** A run's stored log is whole: numbered 1..n without gaps, one terminal event, at the end. */
function expectWholeLog(log: Awaited<ReturnType<typeof followToEnd>>, terminal: string): void {
  expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i + 1));
  expect(log.at(-1)?.event.type).toBe(terminal);
  expect(log.filter((e) => e.event.type.startsWith('run_') && e.event.type !== 'run_started')).toHaveLength(1);
}

test('SIGTERM with 50 live runs: subscribers told, runs interrupted with their events intact, exit within the grace period', async () => {
  const database = isUsingRealPostgres() ? await createTestDb() : undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'llmc-sigterm-'));
  try {
    const env = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      MAX_CONCURRENT_RUNS_PER_USER: '10',
      SHUTDOWN_GRACE_SECONDS: '10',
      ...testSecrets(),
      ...councilEnv(upstream.url),
      ...(database?.url ? { DATABASE_URL: database.url } : { DATA_DIR: dataDir }),
    };
    longAnswers(upstream, 400, 20);
    const host = await startHost(env);
    const users = await signUp(host.url, 10);
    const runs = await startRuns(host.url, users, 50);
    // Ten of them are followed live, as browsers would.
    const followers = runs.slice(0, 10).map(({ user, runId }) =>
      followToEnd(user.on(host.url), runId, {
        timeoutMs: 60_000,
        maxReconnects: 0,
        maxLagMs: Number.POSITIVE_INFINITY,
      }).then(
        (events) => events.at(-1)?.event.type,
        (error: unknown) => String(error),
      ),
    );
    await sleep(1_500); // every run is streaming stage 1 now

    const signalledAt = Date.now();
    const exited = host.kill('SIGTERM');
    const exit = await exited;
    const tookMs = Date.now() - signalledAt;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(tookMs).toBeLessThan(10_000);
    // Live subscribers were told, before their streams closed.
    expect(await Promise.all(followers)).toEqual(Array(10).fill('run_interrupted'));

    const next = await startHost(env);
    for (const { user, runId } of runs) await expectSettledIntact(user.on(next.url), runId, ['interrupted']);
    expect(await next.kill('SIGTERM')).toEqual({ code: 0, signal: null });
  } finally {
    upstream.reset();
    await database?.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test.skipIf(isUsingRealPostgres())(
  'the embedded database survives 20 SIGKILLs at random moments during concurrent runs',
  { timeout: 600_000 },
  async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'llmc-kill-'));
    try {
      const env = {
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        MAX_CONCURRENT_RUNS_PER_USER: '10',
        ...testSecrets(),
        ...councilEnv(upstream.url),
        DATA_DIR: dataDir,
      };
      longAnswers(upstream, 60, 5);
      let host = await startHost(env);
      const users = await signUp(host.url, 8); // four runs a round stay far below the per-user run rate limit
      let previous: Awaited<ReturnType<typeof startRuns>> = [];
      let seed = 7;
      const random = () => (seed = (seed * 16_807) % 2_147_483_647) / 2_147_483_647;
      for (let round = 0; round < 20; round++) {
        // A second process on the same directory is refused while this one lives.
        const intruder = await startServerProcess(env, 30_000).then(
          async (started) => {
            await started.kill('SIGKILL');
            return 'started';
          },
          (error: unknown) => String(error),
        );
        expect(intruder).toMatch(/in use by another process/);
        // The restarted process opened the directory, its migrations are current, and the runs
        // the killed one left behind are settled with what they had completed.
        expect((await fetch(`${host.url}/readyz`)).status).toBe(200);
        for (const { user, runId } of previous) {
          await expectSettledIntact(user.on(host.url), runId, ['interrupted', 'completed']);
        }
        previous = await startRuns(host.url, users, 4);
        await sleep(100 + Math.floor(random() * 1_500));
        expect(await host.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
        host = await startHost(env);
      }
      expect(await host.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    } finally {
      upstream.reset();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
);
