/**
 * `pnpm bench:soak`: does a long-lived server leak? 1,000 short council runs one after another,
 * then 200 subscribe/unsubscribe cycles on a live run, against the real server (a child process)
 * and the fake upstream. Prints RSS, heap and the server's open handles every 100 runs (and
 * every 50 cycles): the curve should flatten, not climb. BENCH_ENGINES=postgres with
 * TEST_DATABASE_URL (or DATABASE_URL) soaks PostgreSQL instead of the embedded database.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeUpstream } from '@llm-council/council/fake-upstream';
import { benchReply, measureRun, shortProfile } from './bench-runs.js';
import { benchServerEnv, startBenchServer, withPostgresDatabase } from './bench-process.js';

const RUNS = 1_000;
const CYCLES = 200;

async function soak(databaseUrl?: string): Promise<void> {
  const upstream = await startFakeUpstream({
    port: 0,
    defaultBehavior: {
      firstTokenMs: 20,
      tokenDelayMs: 2,
      reply: benchReply(shortProfile.tokensPerReply),
    },
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'llmc-soak-'));
  const server = await startBenchServer(
    benchServerEnv(
      { databaseUrl, dataDir },
      {
        OPENROUTER_BASE_URL: upstream.url,
        COUNCIL_MODELS: 'soak/m1,soak/m2,soak/m3',
        CHAIRMAN_MODEL: 'soak/chair',
      },
    ),
  );
  const rows: Record<string, string | number>[] = [];
  const sample = async (label: string) => {
    const m = await server.memory();
    rows.push({
      at: label,
      'RSS MB': Math.round(m.rssBytes / 1048576),
      'heap MB': Math.round(m.heapUsedBytes / 1048576),
      handles: m.handles,
      'live logs': m.liveLogs,
    });
  };
  try {
    const signedIn = await server.api.mutate<{ accessToken: string }>('auth.register', {
      email: `soak-${randomBytes(6).toString('hex')}@example.test`,
      password: 'soak horse battery staple',
      transport: 'body',
    });
    const user = server.api.withToken(signedIn.accessToken);
    await user.mutate('settings.saveApiKey', {
      provider: 'openrouter',
      apiKey: `sk-or-v1-${randomBytes(16).toString('hex')}`,
    });
    await sample('start');
    let failed = 0;
    for (let i = 1; i <= RUNS; i++) {
      const { id } = await user.mutate<{ id: string }>('conversations.create', {});
      const result = await measureRun(user, id, `Soak ${i}?`);
      if (result.error) failed += 1;
      if (i % 100 === 0) await sample(`${i} runs`);
    }
    // One slow run, subscribed to and dropped 200 times while it streams.
    upstream.setBehavior('soak/m1', { firstTokenMs: 20, tokenDelayMs: 50, reply: benchReply(400) });
    const { id } = await user.mutate<{ id: string }>('conversations.create', {});
    const { runId } = await user.mutate<{ runId: string }>('council.start', { conversationId: id, content: 'Slow?' });
    for (let i = 1; i <= CYCLES; i++) {
      const controller = new AbortController();
      const following = user.follow(runId, () => controller.abort(), controller.signal).catch(() => undefined);
      await following;
      if (i % 50 === 0) await sample(`${i} cycles`);
    }
    await new Promise((resolve) => setTimeout(resolve, 6_000)); // idle logs linger 5 s
    await sample('idle');
    console.log(
      `\nsoak on ${databaseUrl ? 'postgres' : 'pglite'}: ${RUNS} runs (${failed} failed), ${CYCLES} subscribe/unsubscribe cycles`,
    );
    console.table(rows);
  } finally {
    await server.stop();
    await upstream.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const postgresUrl = process.env['DATABASE_URL'] || process.env['TEST_DATABASE_URL'];
if (process.env['BENCH_ENGINES'] === 'postgres' && postgresUrl) await withPostgresDatabase(postgresUrl, soak);
else await soak();
