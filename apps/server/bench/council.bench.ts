/**
 * `pnpm bench:council`: the council under load, against a fake upstream on loopback, through the
 * real server (a child process) and its HTTP API. Two answer profiles:
 * - realistic: every call streams 400 words, one word a chunk, at 50 words/s after 500 ms
 *   (titles 5 words) — 1, 50 and 150 concurrent runs;
 * - short: 20 words 10 ms apart after 200 ms — 1, 50, 200 and 500 concurrent runs;
 * - thinking: reasoning models, 300 words of thinking before the realistic answer — 1 and 50 runs.
 * For each it reports wall time (and overhead over the critical path), start → first thought
 * (thinking profile) and → first text,
 * server CPU, database statements and stored events per run, RSS and errors. Runs on PGlite,
 * and on PostgreSQL too when DATABASE_URL or TEST_DATABASE_URL is set. BENCH_ENGINES=pglite|postgres
 * and BENCH_PROFILES=realistic|short|thinking narrow it down; PGLITE_THREAD=main runs the embedded
 * database on the server's event loop instead of its worker thread (the figures before decision 0015).
 * Writes bench/results/council-<engine>.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeUpstream, type FakeUpstream } from '@llm-council/council/fake-upstream';
import { type BenchApi } from './bench-client.js';
import { benchCouncilEnv, MODELS, registerUsers, USERS, useProfile } from './bench-council.js';
import {
  benchServerEnv,
  giveUpAfter,
  startBenchServer,
  withPostgresDatabase,
  type BenchServer,
} from './bench-process.js';
import {
  measureRun,
  realisticProfile,
  shortProfile,
  summarize,
  thinkingProfile,
  type BenchProfile,
  type RunSample,
  type Summary,
} from './bench-runs.js';

interface Scenario {
  name: string;
  concurrency: number;
  rounds: number;
}
const PROFILES: { profile: BenchProfile; scenarios: Scenario[] }[] = [
  {
    profile: realisticProfile,
    scenarios: [
      { name: '1 run', concurrency: 1, rounds: 2 },
      { name: '50 concurrent', concurrency: 50, rounds: 1 },
      { name: '150 concurrent', concurrency: 150, rounds: 1 },
    ],
  },
  {
    profile: shortProfile,
    scenarios: [
      { name: '1 run', concurrency: 1, rounds: 5 },
      { name: '50 concurrent', concurrency: 50, rounds: 1 },
      { name: '200 concurrent', concurrency: 200, rounds: 1 },
      { name: '500 concurrent', concurrency: 500, rounds: 1 },
    ],
  },
  {
    profile: thinkingProfile,
    scenarios: [
      { name: '1 run', concurrency: 1, rounds: 1 },
      { name: '50 concurrent', concurrency: 50, rounds: 1 },
    ],
  },
];
/** BENCH_MAX_CONCURRENCY=50 skips the larger scenarios (a quick look, or a profile). */
const maxConcurrency = Number(process.env['BENCH_MAX_CONCURRENCY'] ?? Number.POSITIVE_INFINITY);
/** The benchmark stops itself, whatever happens, after this long. */
const HARD_DEADLINE_MS = 30 * 60_000;

interface ScenarioResult extends Summary {
  profile: BenchProfile['name'];
  name: string;
  concurrency: number;
  runs: number;
  peakRssMb: number;
  /** RSS right after the scenario. */
  rssMb: number;
  /** Statements the server sent to the database during the scenario. */
  statements: number;
  /** CPU time the server process spent during the scenario, and the load generator's (fake upstream + clients). */
  serverCpuMs: number;
  generatorCpuMs: number;
}

async function runScenario(
  server: BenchServer,
  users: BenchApi[],
  bench: BenchProfile,
  scenario: Scenario,
): Promise<ScenarioResult> {
  const samples: RunSample[] = [];
  const before = await server.memory();
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
  const after = await server.memory();
  return {
    profile: bench.name,
    name: scenario.name,
    concurrency: scenario.concurrency,
    runs: samples.length,
    ...summarize(samples, bench),
    peakRssMb: Math.round(after.maxRssBytes / 1024 / 1024),
    rssMb: Math.round(after.rssBytes / 1024 / 1024),
    statements: after.statements - before.statements,
    serverCpuMs: Math.round(after.cpuMs - before.cpuMs),
    generatorCpuMs: Math.round((generatorCpu.user + generatorCpu.system) / 1000),
  };
}

async function benchEngine(
  engine: 'pglite' | 'postgres',
  upstream: FakeUpstream,
  profiles: typeof PROFILES,
  databaseUrl?: string,
) {
  const dataDir = mkdtempSync(join(tmpdir(), 'llmc-bench-'));
  const server = await startBenchServer(benchServerEnv({ databaseUrl, dataDir }, benchCouncilEnv(upstream)));
  try {
    const atStart = await server.memory();
    const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
    console.log(`  ${engine}: server up, RSS ${mb(atStart.rssBytes)} MB (peak so far ${mb(atStart.maxRssBytes)} MB)`);
    const users = await registerUsers(server.api, USERS);
    // Warm-up (JIT, the model catalog cache, connection pools); not measured.
    useProfile(upstream, shortProfile);
    await Promise.all(
      users.slice(0, 5).map(async (user) => {
        const { id } = await user.mutate<{ id: string }>('conversations.create', {});
        await measureRun(user, id, 'Warm-up?');
      }),
    );
    const results: ScenarioResult[] = [];
    for (const { profile: bench, scenarios } of profiles) {
      useProfile(upstream, bench);
      for (const scenario of scenarios) {
        if (scenario.concurrency > maxConcurrency) continue;
        results.push(await runScenario(server, users, bench, scenario));
        process.stdout.write(`  ${engine}: ${bench.name}, ${scenario.name} done\n`);
      }
    }
    return results;
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function printTable(engine: string, results: ScenarioResult[]): void {
  const ms = (s: { median: number; p95: number }) => `${s.median.toFixed(0)} / ${s.p95.toFixed(0)}`;
  for (const { profile: bench } of PROFILES) {
    const rows = results.filter((r) => r.profile === bench.name);
    if (rows.length === 0) continue;
    console.log(
      [
        `\n${engine}, ${bench.name} profile — ms, median / p95. Every call: first token after ${bench.firstTokenMs} ms, then`,
        `${bench.reasoningTokens > 0 ? `${bench.reasoningTokens} words of thinking and ` : ''}${bench.tokensPerReply} words ${bench.tokenDelayMs} ms apart (${bench.callMs} ms); critical path ${bench.criticalPathMs} ms.`,
      ].join('\n'),
    );
    console.table(
      Object.fromEntries(
        rows.map((r) => [
          r.name,
          {
            runs: r.runs,
            wall: ms(r.wallMs),
            'over critical path': ms(r.overheadMs),
            ...(bench.reasoningTokens > 0 && { 'start → first thought': ms(r.firstThoughtMs) }),
            'start → first text': ms(r.firstDeltaMs),
            'server CPU ms/run': Math.round(r.serverCpuMs / Math.max(1, r.runs)),
            'statements/run': Math.round(r.statements / Math.max(1, r.runs)),
            'events/run': r.eventsPerRun.median,
            'RSS MB (peak)': `${r.rssMb} (${r.peakRssMb})`,
            errors: r.errors,
          },
        ]),
      ),
    );
  }
}

async function main(): Promise<void> {
  giveUpAfter(HARD_DEADLINE_MS);

  const upstream = await startFakeUpstream({ port: 0 });
  const onlyProfiles = process.env['BENCH_PROFILES']?.split(',');
  const profiles = PROFILES.filter(({ profile }) => !onlyProfiles || onlyProfiles.includes(profile.name));
  const postgresUrl = process.env['DATABASE_URL'] || process.env['TEST_DATABASE_URL'];
  const loadAtStart = loadavg()[0];
  const available: ('pglite' | 'postgres')[] = postgresUrl ? ['pglite', 'postgres'] : ['pglite'];
  // BENCH_ENGINES=postgres (or pglite) runs just one of them.
  const only = process.env['BENCH_ENGINES']?.split(',');
  const engines = only ? available.filter((engine) => only.includes(engine)) : available;
  if (engines.length === 0) {
    console.error(
      'BENCH_ENGINES=postgres needs PostgreSQL: set DATABASE_URL (or TEST_DATABASE_URL) to a postgres:// URL',
    );
    process.exit(2);
  }
  const resultsDir = join(import.meta.dirname, 'results');
  mkdirSync(resultsDir, { recursive: true });
  try {
    for (const engine of engines) {
      console.log(`benchmarking on ${engine}…`);
      const results =
        engine === 'postgres' && postgresUrl
          ? await withPostgresDatabase(postgresUrl, (url) => benchEngine(engine, upstream, profiles, url))
          : await benchEngine(engine, upstream, profiles);
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
        profiles: profiles.map(({ profile }) => profile),
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
