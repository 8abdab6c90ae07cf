/**
 * `pnpm bench:hosts`: does adding hosts add capacity? Starts 1, 2 and 4 server processes (hosts) on
 * one PostgreSQL (DATABASE_URL or TEST_DATABASE_URL; required) and a fake upstream, and gives every
 * host the same load: BENCH_RUNS_PER_HOST (default 20) concurrent realistic runs, each followed on
 * the host that started it, and one run in ten followed from the next host as well. Per host it
 * reports CPU per run, notifications received per run, RSS, and the first-delta latency of the
 * followers on another host (from just before `council.start` to their first delta). With per-run
 * channels a host hears only the runs it serves: notifications per run stay flat as hosts are added.
 * BENCH_HOSTS=1,2 narrows the host counts. Writes bench/results/hosts.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb } from '@llm-council/db';
import { sql } from 'kysely';
import { startFakeUpstream, type FakeUpstream } from '@llm-council/council/fake-upstream';
import type { BenchApi } from './bench-client.js';
import { benchCouncilEnv, registerUsers, useProfile } from './bench-council.js';
import {
  benchServerEnv,
  giveUpAfter,
  startBenchServer,
  withPostgresDatabase,
  type BenchServer,
} from './bench-process.js';
import { measureRun, realisticProfile, shortProfile, stat, type RunSample, type Stat } from './bench-runs.js';

const runsPerHost = Number(process.env['BENCH_RUNS_PER_HOST'] ?? 20);
const hostCounts = (process.env['BENCH_HOSTS'] ?? '1,2,4').split(',').map(Number);
/** One run in this many is followed from another host too. */
const CROSS_FOLLOW_EVERY = 10;
const USERS_PER_HOST = 5;
const HARD_DEADLINE_MS = 30 * 60_000;

interface HostResult {
  host: number;
  runs: number;
  errors: number;
  cpuMsPerRun: number;
  notificationsPerRun: number;
  /** Statements this host sent to PostgreSQL per run it served. */
  statementsPerRun: number;
  rssMb: number;
  /** Followers on this host of runs started on another: start → their first delta. */
  crossFirstDeltaMs: Stat | null;
  /** Followers on the starting host: start → first delta. */
  firstDeltaMs: Stat;
}

/** The same user on every host (one database, one signing secret): `users[i].on(url)`. */
async function runOnHosts(hosts: BenchServer[], users: BenchApi[]): Promise<HostResult[]> {
  const before = await Promise.all(hosts.map((host) => host.memory()));
  const samples: RunSample[][] = hosts.map(() => []);
  const crossFirstDeltas: number[][] = hosts.map(() => []);
  const runs = hosts.flatMap((_, h) => Array.from({ length: runsPerHost }, (_, i) => ({ h, i })));
  const crossFollows: Promise<void>[] = [];
  const conversations = await Promise.all(
    runs.map(({ h, i }) =>
      users[i % users.length]!.on(hosts[h]!.api.baseUrl).mutate<{ id: string }>('conversations.create', {}),
    ),
  );
  await Promise.all(
    runs.map(async ({ h, i }, n) => {
      const user = users[i % users.length]!;
      const isCrossFollowed = hosts.length > 1 && i % CROSS_FOLLOW_EVERY === 0;
      const other = (h + 1) % hosts.length;
      const sample = await measureRun(
        user.on(hosts[h]!.api.baseUrl),
        conversations[n]!.id,
        `Host ${h}, run ${i}?`,
        (runId, startedAt) => {
          if (!isCrossFollowed) return;
          let firstDeltaAt: number | null = null;
          crossFollows.push(
            user
              .on(hosts[other]!.api.baseUrl)
              .follow(
                runId,
                ({ event }) => {
                  if (event.type === 'model_delta') firstDeltaAt ??= performance.now();
                },
                AbortSignal.timeout(300_000),
              )
              .then(() => {
                if (firstDeltaAt !== null) crossFirstDeltas[other]!.push(firstDeltaAt - startedAt);
              }),
          );
        },
      );
      samples[h]!.push(sample);
    }),
  );
  await Promise.all(crossFollows);
  const after = await Promise.all(hosts.map((host) => host.memory()));
  return hosts.map((_, h) => {
    const served = samples[h]!.length;
    return {
      host: h + 1,
      runs: served,
      errors: samples[h]!.filter((s) => s.error !== null).length,
      cpuMsPerRun: Math.round((after[h]!.cpuMs - before[h]!.cpuMs) / served),
      notificationsPerRun: Math.round((after[h]!.notifications - before[h]!.notifications) / served),
      statementsPerRun: Math.round((after[h]!.statements - before[h]!.statements) / served),
      rssMb: Math.round(after[h]!.rssBytes / 1024 / 1024),
      crossFirstDeltaMs: crossFirstDeltas[h]!.length > 0 ? stat(crossFirstDeltas[h]!) : null,
      firstDeltaMs: stat(samples[h]!.flatMap((s) => (s.firstDeltaMs === null ? [] : [s.firstDeltaMs]))),
    };
  });
}

interface HostsResult {
  hosts: HostResult[];
  /** Growth of the database (tables, indexes, TOAST) per run, in bytes. */
  databaseBytesPerRun: number;
}

/** The database's size on disk, as PostgreSQL counts it. */
async function databaseBytes(databaseUrl: string): Promise<number> {
  const db = await createDb({ databaseUrl, dataDir: 'memory://', maxConnections: 1 });
  try {
    const { rows } = await sql<{ bytes: string }>`select pg_database_size(current_database()) as bytes`.execute(db.db);
    return Number(rows[0]?.bytes ?? 0);
  } finally {
    await db.close();
  }
}

async function benchHosts(count: number, upstream: FakeUpstream, databaseUrl: string): Promise<HostsResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'llmc-bench-hosts-'));
  // One environment for every host: the same secrets, so a session from one is valid on all.
  const env = benchServerEnv({ databaseUrl, dataDir }, benchCouncilEnv(upstream));
  const hosts: BenchServer[] = [];
  try {
    // One at a time: the first applies the migrations.
    for (let i = 0; i < count; i++) hosts.push(await startBenchServer(env));
    const users = await registerUsers(hosts[0]!.api, USERS_PER_HOST * count);
    // Warm-up on every host (JIT, catalog cache, pools); not measured.
    useProfile(upstream, shortProfile);
    await Promise.all(
      hosts.map(async (host, h) => {
        const user = users[h]!.on(host.api.baseUrl);
        const { id } = await user.mutate<{ id: string }>('conversations.create', {});
        await measureRun(user, id, 'Warm-up?');
      }),
    );
    useProfile(upstream, realisticProfile);
    const sizeBefore = await databaseBytes(databaseUrl);
    const results = await runOnHosts(hosts, users);
    const sizeAfter = await databaseBytes(databaseUrl);
    return { hosts: results, databaseBytesPerRun: Math.round((sizeAfter - sizeBefore) / (count * runsPerHost)) };
  } finally {
    await Promise.all(hosts.map((host) => host.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function printTable(count: number, { hosts: results, databaseBytesPerRun }: HostsResult): void {
  const ms = (s: Stat | null) => (s ? `${s.median} / ${s.p95}` : '—');
  console.log(`\n${count} host(s), ${runsPerHost} concurrent realistic runs each (ms: median / p95)`);
  console.table(
    Object.fromEntries(
      results.map((r) => [
        `host ${r.host}`,
        {
          runs: r.runs,
          'CPU ms/run': r.cpuMsPerRun,
          'notifications/run': r.notificationsPerRun,
          'statements/run': r.statementsPerRun,
          'RSS MB': r.rssMb,
          'start → first delta': ms(r.firstDeltaMs),
          'from another host: start → first delta': ms(r.crossFirstDeltaMs),
          errors: r.errors,
        },
      ]),
    ),
  );
  console.log(`database growth: ${(databaseBytesPerRun / 1024).toFixed(1)} KB per run`);
}

async function main(): Promise<void> {
  giveUpAfter(HARD_DEADLINE_MS);
  const postgresUrl = process.env['DATABASE_URL'] || process.env['TEST_DATABASE_URL'];
  if (!postgresUrl) {
    console.error('bench:hosts needs PostgreSQL: set DATABASE_URL (or TEST_DATABASE_URL) to a postgres:// URL');
    process.exit(1);
  }
  const upstream = await startFakeUpstream({ port: 0 });
  const report: { hosts: number; loadAverage: number | undefined; results: HostsResult }[] = [];
  try {
    for (const count of hostCounts) {
      const loadAverage = loadavg()[0];
      const results = await withPostgresDatabase(postgresUrl, (url) => benchHosts(count, upstream, url));
      printTable(count, results);
      // Other work on the machine skews every number here; the load average says how much.
      console.log(
        `load average (1 min): ${loadAverage?.toFixed(2)} before, ${loadavg()[0]?.toFixed(2)} after, on ${cpus().length} CPUs`,
      );
      report.push({ hosts: count, loadAverage, results });
    }
  } finally {
    await upstream.close();
  }
  const resultsDir = join(import.meta.dirname, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, 'hosts.json');
  writeFileSync(
    file,
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: cpus().length, runsPerHost, profile: realisticProfile, report }, null, 2)}\n`,
  );
  console.log(`wrote ${file}`);
}

await main();
