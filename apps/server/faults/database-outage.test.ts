import { startFakeUpstream } from '@llm-council/council/fake-upstream';
import { createDb, migrateToLatest } from '@llm-council/db';
import { isUsingRealPostgres } from '@llm-council/db/testing';
import type { RunEventEnvelope } from '@llm-council/sdk';
import { sql } from 'kysely';
import { expect, test } from 'vitest';
import { councilEnv, councilReply, sleep, startCouncilTestbed } from '../test/helpers/council-harness.js';
import { startTestServer, testSecrets, type TestServer } from '../test/helpers/test-server.js';
import { expectNothingLost, longAnswers, startFollowedRuns } from './fault-harness.js';
import { startThrowawayPostgres, type ThrowawayPostgres } from './throwaway-postgres.js';

// A database restart in the middle of 20 concurrent runs, with subscribers on two hosts: no
// process exit (an unhandled 'error' would end this test process), every run ends completed or
// interrupted (and an interrupted one completes after retry), every subscriber gets the whole
// log once and in order, and the streamed deltas add up to the answers. PostgreSQL only: the
// embedded database has no connection to lose (see kill-embedded.test.ts).

const isPostgres = isUsingRealPostgres();

/** A host's database handle on the throwaway cluster; requests fail fast (1 s) while it is down. */
async function openOn(cluster: ThrowawayPostgres) {
  const handle = await createDb({ databaseUrl: cluster.url, dataDir: 'memory://', connectTimeoutMs: 1_000 });
  return { ...handle, url: cluster.url };
}

/** Watches what subscribers receive and resolves `reached(stage)` when a stage's output first streams in. */
function stageWatcher() {
  const seen = new Set<string>();
  const waiters = new Map<string, () => void>();
  return {
    onEvent({ event }: RunEventEnvelope) {
      const stage =
        event.type === 'model_delta' ? event.stage : event.type === 'review_completed' ? 'stage2' : undefined;
      if (!stage || seen.has(stage)) return;
      seen.add(stage);
      waiters.get(stage)?.();
    },
    reached(stage: 'stage1' | 'stage2' | 'stage3'): Promise<void> {
      return seen.has(stage) ? Promise.resolve() : new Promise((resolve) => waiters.set(stage, resolve));
    },
  };
}

test.skipIf(!isPostgres)(
  'connections cut with pg_terminate_backend in stage 1, 2 and 3 of 20 concurrent runs lose nothing',
  { timeout: 240_000 },
  async () => {
    const secrets = testSecrets();
    const bed = await startCouncilTestbed({ env: { ...secrets, MAX_CONCURRENT_RUNS_PER_USER: '10' } });
    const url = bed.server.dbHandle.url!;
    const handleB = await createDb({ databaseUrl: url, dataDir: 'memory://' });
    const hostB = await startTestServer({
      env: { ...councilEnv(bed.upstream.url), ...secrets },
      dbHandle: { ...handleB, url },
    });
    const admin = await createDb({ databaseUrl: url, dataDir: 'memory://', maxConnections: 1 });
    try {
      longAnswers(bed.upstream, 300, 10);
      const watcher = stageWatcher();
      const runs = await startFollowedRuns(bed.server, [hostB, bed.server], 20, (e) => watcher.onEvent(e));
      const cut = async () => {
        const { rows } = await sql`select pg_terminate_backend(pid) from pg_stat_activity
          where datname = current_database() and pid <> pg_backend_pid()`.execute(admin.db);
        return rows.length;
      };
      for (const stage of ['stage1', 'stage2', 'stage3'] as const) {
        await watcher.reached(stage);
        expect(await cut(), `backends cut in ${stage}`).toBeGreaterThan(0);
      }
      // Writes retry through the cut: every run rides it out.
      expect(await expectNothingLost(runs)).toEqual({ completed: 20, interrupted: 0 });
    } finally {
      await admin.close();
      await hostB.close();
      await handleB.close();
      await bed.close();
    }
  },
);

test.skipIf(!isPostgres)(
  'PostgreSQL stopped and started again in stage 1, 2 and 3: readiness follows it, requests get 503, runs lose nothing',
  { timeout: 300_000 },
  async () => {
    const cluster = await startThrowawayPostgres();
    const secrets = testSecrets();
    const handleA = await openOn(cluster);
    await migrateToLatest(handleA.db);
    const handleB = await openOn(cluster);
    const fake = await startFakeUpstream({ port: 0, defaultBehavior: { tokenDelayMs: 1, reply: councilReply() } });
    const env = { ...councilEnv(fake.url), ...secrets, MAX_CONCURRENT_RUNS_PER_USER: '10' };
    const hostA = await startTestServer({ env, dbHandle: handleA });
    const hostB = await startTestServer({ env, dbHandle: handleB });
    const ready = async (host: TestServer) => (await fetch(`${host.url}/readyz`)).status;
    try {
      longAnswers(fake, 300, 10);
      const watcher = stageWatcher();
      const runs = await startFollowedRuns(hostA, [hostB, hostA], 20, (e) => watcher.onEvent(e));
      const me = (await runs[0]!.user.client.auth.me.query()).email;
      expect(me).toContain('@');
      for (const stage of ['stage1', 'stage2', 'stage3'] as const) {
        await watcher.reached(stage);
        await cluster.stop();
        expect(await ready(hostA)).toBe(503);
        expect(await ready(hostB)).toBe(503);
        // An API call fails fast with 503 and Retry-After instead of hanging on the pool.
        const startedAt = Date.now();
        const response = await fetch(`${hostA.url}/trpc/conversations.list`, {
          headers: { Authorization: `Bearer ${await runs[0]!.user.client.getAccessToken()}` },
        });
        expect(response.status).toBe(503);
        expect(response.headers.get('retry-after')).toBe('5');
        expect(Date.now() - startedAt).toBeLessThan(4_000);
        await sleep(1_500);
        await cluster.start();
        await waitUntilReady(hostA);
        await waitUntilReady(hostB);
      }
      // Each outage is far shorter than EVENT_WRITE_RETRY_SECONDS: every run rides it out.
      expect(await expectNothingLost(runs)).toEqual({ completed: 20, interrupted: 0 });
    } finally {
      await hostB.close();
      await hostA.close();
      await handleB.close();
      await handleA.close();
      await fake.close();
      await cluster.destroy();
    }

    async function waitUntilReady(host: TestServer): Promise<void> {
      const deadline = Date.now() + 20_000;
      while ((await ready(host)) !== 200) {
        if (Date.now() > deadline) throw new Error(`${host.url}/readyz did not recover within 20 s`);
        await sleep(100);
      }
    }
  },
);

test.skipIf(!isPostgres)(
  'an outage longer than the write retry window interrupts the runs once the database is back, and retry completes them',
  { timeout: 300_000 },
  async () => {
    const cluster = await startThrowawayPostgres();
    const handle = await openOn(cluster);
    await migrateToLatest(handle.db);
    const fake = await startFakeUpstream({ port: 0, defaultBehavior: { tokenDelayMs: 1, reply: councilReply() } });
    const env = {
      ...councilEnv(fake.url),
      ...testSecrets(),
      MAX_CONCURRENT_RUNS_PER_USER: '10',
      EVENT_WRITE_RETRY_SECONDS: '1',
    };
    const host = await startTestServer({ env, dbHandle: handle });
    try {
      longAnswers(fake, 300, 10);
      const watcher = stageWatcher();
      const runs = await startFollowedRuns(host, [host], 6, (e) => watcher.onEvent(e));
      await watcher.reached('stage1');
      await cluster.stop();
      await sleep(4_000); // the runs' writes give up meanwhile; their answers keep streaming upstream
      await cluster.start();
      const outcome = await expectNothingLost(runs);
      expect(outcome.interrupted).toBeGreaterThan(0);
      expect(outcome.completed + outcome.interrupted).toBe(6);
    } finally {
      await host.close();
      await handle.close();
      await fake.close();
      await cluster.destroy();
    }
  },
);
