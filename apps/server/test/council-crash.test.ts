import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeUpstream, type FakeUpstream } from '@llm-council/council/fake-upstream';
import { createTestDataDir, createTestDb, isUsingRealPostgres } from '@llm-council/db/testing';
import { createCouncilClient, memoryTokenStore } from '@llm-council/sdk';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  COUNCIL,
  councilEnv,
  councilReply,
  followToEnd,
  newApiKey,
  requestsOf,
  waitForRunStatus,
  waitUntil,
} from './helpers/council-harness.js';
import { startServerProcess, type ServerProcess } from './helpers/council-process.js';
import { STRONG_PASSWORD, testSecrets, uniqueEmail } from './helpers/test-server.js';

// Case 47: the server process is killed (SIGKILL: no shutdown hook runs) in the middle of a run.
// After a restart the run must read `interrupted` — not `running` forever — with the answers
// that were complete still there, and `council.retry` must finish it asking only what is missing.

const [ALPHA, BETA, GAMMA] = COUNCIL;

let upstream: FakeUpstream;
let database: Awaited<ReturnType<typeof createTestDb>> | undefined;
let dataDir: string;
const running: ServerProcess[] = [];

beforeAll(async () => {
  upstream = await startFakeUpstream({ port: 0, defaultBehavior: { tokenDelayMs: 1, reply: councilReply() } });
  dataDir = mkdtempSync(join(tmpdir(), 'llmc-crash-'));
  // PGlite: the data directory both processes open, migrated already (initdb is not under test here).
  if (isUsingRealPostgres()) database = await createTestDb();
  else await createTestDataDir(dataDir);
});
afterAll(async () => {
  await Promise.all(running.map((p) => p.kill('SIGKILL')));
  await database?.close();
  await upstream.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function startServer(env: Record<string, string>): Promise<ServerProcess> {
  const server = await startServerProcess(env);
  running.push(server);
  void server.exited.then(() => running.splice(running.indexOf(server), 1));
  return server;
}

// Two cold starts of a real process: slow on a busy machine.
test(
  'a server killed mid-run leaves the run interrupted with finished answers intact, and council.retry completes it (case 47)',
  { timeout: 150_000 },
  async () => {
    const env = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      PASSWORD_HASH_PROFILE: 'insecure-test',
      ...testSecrets(),
      ...councilEnv(upstream.url),
      ...(database?.url ? { DATABASE_URL: database.url, RUN_HEARTBEAT_SECONDS: '1' } : { DATA_DIR: dataDir }),
    };
    // gamma thinks for a minute: the run is stuck in stage 1 with two answers saved.
    upstream.setBehavior(GAMMA, { firstTokenMs: 60_000, reply: councilReply() });

    const first = await startServer(env);
    const tokenStore = memoryTokenStore();
    const firstClient = createCouncilClient({ url: first.url, tokenStore, transport: 'body' });
    await firstClient.auth.register.mutate({ email: uniqueEmail('crash'), password: STRONG_PASSWORD });
    const apiKey = newApiKey();
    await firstClient.settings.saveApiKey.mutate({ provider: 'openrouter', apiKey });
    const { id: conversationId } = await firstClient.conversations.create.mutate({});
    const { runId } = await firstClient.council.start.mutate({ conversationId, content: 'Will you survive?' });

    const deadline = Date.now() + 15_000;
    let before = await firstClient.council.get.query({ runId });
    while (before.stage1.filter((s) => s.status === 'completed').length < 2) {
      if (Date.now() > deadline) throw new Error(`stage 1 did not progress: ${JSON.stringify(before)}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
      before = await firstClient.council.get.query({ runId });
    }
    expect(before.status).toBe('running');

    expect(await first.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    // The dead process's connection to the hanging model is gone with it.
    await waitUntil(() => upstream.openRequests === 0, 2_000, 'the killed server’s upstream requests to close');
    upstream.setBehavior(GAMMA, { tokenDelayMs: 1, reply: councilReply() });

    const second = await startServer(env);
    const client = createCouncilClient({ url: second.url, tokenStore, transport: 'body' });
    // PGlite: swept at start-up. Postgres: once the heartbeat is 4 × RUN_HEARTBEAT_SECONDS old.
    const interrupted = await waitForRunStatus(
      client,
      runId,
      ['interrupted', 'completed', 'failed', 'cancelled'],
      20_000,
    );
    expect(interrupted.status).toBe('interrupted');
    expect(interrupted.finishedAt).not.toBeNull();
    const completedBefore = before.stage1.filter((s) => s.status === 'completed');
    expect(interrupted.stage1.filter((s) => s.status === 'completed')).toEqual(completedBefore);
    expect(completedBefore.map((s) => s.model).sort()).toEqual([ALPHA, BETA]);

    // The log says so too, so a client following the run stops waiting.
    const log = await followToEnd(client, runId);
    expect(log.at(-1)?.event.type).toBe('run_interrupted');

    const stage1Requests = requestsOf(upstream, 'stage1').length;
    await client.council.retry.mutate({ runId });
    const resumed = await followToEnd(client, runId, { lastEventId: String(log.at(-1)?.seq) });
    expect(resumed.at(-1)?.event.type).toBe('run_completed');

    // Only gamma was asked again; alpha's and beta's answers were reused.
    const asked = requestsOf(upstream, 'stage1').slice(stage1Requests);
    expect(asked.map((r) => r.model)).toEqual([GAMMA]);
    const finished = await client.council.get.query({ runId });
    expect(finished.status).toBe('completed');
    expect(finished.attempt).toBe(2);
    expect(finished.stage1.map((s) => s.status)).toEqual(['completed', 'completed', 'completed']);
    for (const answer of completedBefore) expect(finished.stage1).toContainEqual(answer);
    expect(finished.stage3?.status).toBe('completed');
    expect(upstream.requests.every((r) => r.authorization === `Bearer ${apiKey}`)).toBe(true);

    expect(await second.kill('SIGTERM')).toEqual({ code: 0, signal: null });
  },
);
