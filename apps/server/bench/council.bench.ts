/**
 * `pnpm bench:council`: the council's orchestration overhead against a fake upstream with a
 * fixed latency per call. For 1 run (sequential samples), 50 and 200 concurrent runs it reports
 * wall time minus the critical path (slowest stage-1 call + slowest review + chairman), the time
 * from `council.start` to the first streamed delta, peak RSS of the server and errors. Runs on
 * PGlite, and on PostgreSQL too when DATABASE_URL or TEST_DATABASE_URL is set. Every request
 * goes to 127.0.0.1 (plus that database). Writes bench/results/council-<engine>.json.
 * BENCH_ENGINES=pglite or =postgres limits the run to one engine.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeUpstream, type FakeUpstream } from '@llm-council/council/fake-upstream';
import { createDb } from '@llm-council/db';
import { sql } from 'kysely';
import { BenchApi } from './bench-client.js';
import type { BenchServerMessage } from './bench-server.js';
import { benchReply, latency, measureRun, summarize, type RunSample, type Summary } from './bench-runs.js';

const MODELS = ['bench/m1', 'bench/m2', 'bench/m3', 'bench/m4'];
const CHAIRMAN = 'bench/chair';
const TITLE_MODEL = 'bench/title';
const USERS = 25;
const SCENARIOS = [
  { name: '1 run', concurrency: 1, rounds: 5 },
  { name: '50 concurrent', concurrency: 50, rounds: 1 },
  { name: '200 concurrent', concurrency: 200, rounds: 1 },
];
/** The benchmark stops itself, whatever happens, after this long. */
const HARD_DEADLINE_MS = 10 * 60_000;

interface ScenarioResult extends Summary {
  name: string;
  concurrency: number;
  runs: number;
  peakRssMb: number;
  /** CPU time the server process spent during the scenario, and the load generator's (fake upstream + clients). */
  serverCpuMs: number;
  generatorCpuMs: number;
}

interface BenchServer {
  api: BenchApi;
  memory(): Promise<{ maxRssBytes: number; rssBytes: number; cpuMs: number }>;
  stop(): Promise<void>;
}

async function startBenchServer(env: Record<string, string>): Promise<BenchServer> {
  const child: ChildProcess = fork(join(import.meta.dirname, 'bench-server.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    child.on('message', (message: BenchServerMessage) => {
      if (message.type === 'ready') resolve(message.url);
    });
    void exited.then(() => reject(new Error('the bench server exited before it was ready')));
  });
  return {
    api: new BenchApi(url),
    memory: () =>
      new Promise((resolve) => {
        const onMessage = (message: BenchServerMessage) => {
          if (message.type !== 'memory') return;
          child.off('message', onMessage);
          resolve(message);
        };
        child.on('message', onMessage);
        child.send({ type: 'memory' });
      }),
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function registerUsers(api: BenchApi, count: number): Promise<BenchApi[]> {
  const users: BenchApi[] = [];
  // A few at a time: each registration hashes a password with argon2.
  for (let i = 0; i < count; i += 5) {
    const batch = Array.from({ length: Math.min(5, count - i) }, async () => {
      const signedIn = await api.mutate<{ accessToken: string }>('auth.register', {
        email: `bench-${randomBytes(6).toString('hex')}@example.test`,
        password: 'bench horse battery staple',
        transport: 'body',
      });
      const user = api.withToken(signedIn.accessToken);
      await user.mutate('settings.saveApiKey', {
        provider: 'openrouter',
        apiKey: `sk-or-v1-${randomBytes(16).toString('hex')}`,
      });
      return user;
    });
    users.push(...(await Promise.all(batch)));
  }
  return users;
}

async function runScenario(
  server: BenchServer,
  users: BenchApi[],
  scenario: (typeof SCENARIOS)[number],
): Promise<ScenarioResult> {
  const samples: RunSample[] = [];
  const serverCpuBefore = (await server.memory()).cpuMs;
  const generatorCpuBefore = process.cpuUsage();
  for (let round = 0; round < scenario.rounds; round++) {
    const assigned = Array.from({ length: scenario.concurrency }, (_, i) => users[i % users.length] as BenchApi);
    // Conversations first, so that only the runs themselves are timed, and all start together.
    const conversations = await Promise.all(
      assigned.map((user) => user.mutate<{ id: string }>('conversations.create', {})),
    );
    samples.push(
      ...(await Promise.all(
        assigned.map((user, i) => measureRun(user, conversations[i]!.id, `Question ${round}-${i}?`)),
      )),
    );
  }
  const generatorCpu = process.cpuUsage(generatorCpuBefore);
  const { maxRssBytes, cpuMs } = await server.memory();
  return {
    name: scenario.name,
    concurrency: scenario.concurrency,
    runs: samples.length,
    ...summarize(samples),
    peakRssMb: Math.round(maxRssBytes / 1024 / 1024),
    serverCpuMs: Math.round(cpuMs - serverCpuBefore),
    generatorCpuMs: Math.round((generatorCpu.user + generatorCpu.system) / 1000),
  };
}

async function benchEngine(engine: 'pglite' | 'postgres', upstream: FakeUpstream, databaseUrl?: string) {
  const dataDir = mkdtempSync(join(tmpdir(), 'llmc-bench-'));
  const server = await startBenchServer({
    NODE_ENV: 'production',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    JWT_SECRET: randomBytes(48).toString('base64'),
    API_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    OPENROUTER_BASE_URL: upstream.url,
    COUNCIL_MODELS: MODELS.join(','),
    CHAIRMAN_MODEL: CHAIRMAN,
    TITLE_MODEL,
    MAX_CONCURRENT_RUNS_PER_USER: '100',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : { DATA_DIR: dataDir }),
  });
  try {
    const atStart = await server.memory();
    const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
    console.log(`  ${engine}: server up, RSS ${mb(atStart.rssBytes)} MB (peak so far ${mb(atStart.maxRssBytes)} MB)`);
    const users = await registerUsers(server.api, USERS);
    // Warm-up (JIT, the model catalog cache, connection pools); not measured.
    await Promise.all(
      users.slice(0, 5).map(async (user) => {
        const { id } = await user.mutate<{ id: string }>('conversations.create', {});
        await measureRun(user, id, 'Warm-up?');
      }),
    );
    const results: ScenarioResult[] = [];
    for (const scenario of SCENARIOS) {
      upstream.reset();
      results.push(await runScenario(server, users, scenario));
      process.stdout.write(`  ${engine}: ${scenario.name} done\n`);
    }
    return results;
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** A throwaway database on the PostgreSQL server, dropped afterwards. */
async function withPostgresDatabase<T>(serverUrl: string, use: (url: string) => Promise<T>): Promise<T> {
  const name = `llmc_bench_${randomBytes(6).toString('hex')}`;
  const admin = await createDb({ databaseUrl: serverUrl, dataDir: 'memory://', maxConnections: 1 });
  try {
    await sql`CREATE DATABASE ${sql.id(name)}`.execute(admin.db);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    try {
      return await use(url.toString());
    } finally {
      await sql`DROP DATABASE IF EXISTS ${sql.id(name)} WITH (FORCE)`.execute(admin.db);
    }
  } finally {
    await admin.close();
  }
}

function printTable(engine: string, results: ScenarioResult[]): void {
  const ms = (s: { median: number; p95: number }) => `${s.median.toFixed(0)} / ${s.p95.toFixed(0)}`;
  console.log(
    [
      `\n${engine} — times in ms, median / p95. Every upstream call: first token after ${latency.firstTokenMs} ms,`,
      `then ${latency.tokensPerReply} tokens ${latency.tokenDelayMs} ms apart = ${latency.callMs} ms; critical path (stage 1 + stage 2 + chairman) = ${latency.criticalPathMs} ms.`,
      'overhead = wall − that nominal path; "server-timed path" uses the call durations the server recorded instead',
      "(they include waiting for the run's own event backlog, so that overhead is a lower bound).",
    ].join('\n'),
  );
  console.table(
    Object.fromEntries(
      results.map((r) => [
        r.name,
        {
          runs: r.runs,
          wall: ms(r.wallMs),
          'overhead (vs nominal path)': ms(r.overheadMs),
          'overhead (vs server-timed path)': ms(r.overheadVsObservedMs),
          'start → first delta': ms(r.firstDeltaMs),
          'events/run': r.eventsPerRun.median,
          'peak RSS MB': r.peakRssMb,
          'server CPU s': (r.serverCpuMs / 1000).toFixed(1),
          'generator CPU s': (r.generatorCpuMs / 1000).toFixed(1),
          errors: r.errors,
        },
      ]),
    ),
  );
}

async function main(): Promise<void> {
  const deadline = setTimeout(() => {
    console.error(`benchmark exceeded ${HARD_DEADLINE_MS / 60_000} minutes; giving up`);
    process.exit(1);
  }, HARD_DEADLINE_MS);
  deadline.unref();

  const upstream = await startFakeUpstream({
    port: 0,
    defaultBehavior: { firstTokenMs: latency.firstTokenMs, tokenDelayMs: latency.tokenDelayMs, reply: benchReply },
  });
  const postgresUrl = process.env['DATABASE_URL'] || process.env['TEST_DATABASE_URL'];
  const loadAtStart = loadavg()[0];
  const available: ('pglite' | 'postgres')[] = postgresUrl ? ['pglite', 'postgres'] : ['pglite'];
  // BENCH_ENGINES=postgres (or pglite) runs just one of them.
  const only = process.env['BENCH_ENGINES']?.split(',');
  const engines = only ? available.filter((engine) => only.includes(engine)) : available;
  const resultsDir = join(import.meta.dirname, 'results');
  mkdirSync(resultsDir, { recursive: true });
  try {
    for (const engine of engines) {
      console.log(`benchmarking on ${engine}…`);
      const results =
        engine === 'postgres' && postgresUrl
          ? await withPostgresDatabase(postgresUrl, (url) => benchEngine(engine, upstream, url))
          : await benchEngine(engine, upstream);
      printTable(engine, results);
      for (const r of results) {
        if (r.errors > 0 || r.failedModelCalls > 0) {
          console.log(
            `  ${r.name}: ${r.errors} failed runs; failures ${JSON.stringify(r.failureCodes)}; ${r.errorSamples.join(' | ')}`,
          );
        }
      }
      // Other work on the machine skews every number here; the load average says how much.
      console.log(`load average (1 min) now: ${loadavg()[0]?.toFixed(2)} on ${cpus().length} CPUs`);
      const file = join(resultsDir, `council-${engine}.json`);
      const report = {
        engine,
        date: new Date().toISOString(),
        node: process.version,
        cpus: cpus().length,
        loadAverageAtStart: loadAtStart,
        loadAverageAtEnd: loadavg()[0],
        council: { models: MODELS.length, chairman: 1, titleModel: 1, users: USERS },
        latency,
        scenarios: results,
      };
      writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
      console.log(`wrote ${file}`);
    }
  } finally {
    await upstream.close();
  }
}

await main();
