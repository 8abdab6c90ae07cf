/**
 * `pnpm bench:requests`: the floor of an authenticated request. One user with 10,000
 * conversations; 2,000 sequential `conversations.list` pages (50 per page) and `auth.me` calls
 * over HTTP against the real server (a child process). Prints median / p95 / p99 in ms per
 * engine, and the database statements each request costs.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchApi } from './bench-client.js';
import { benchServerEnv, startBenchServer, withPostgresDatabase, type BenchServer } from './bench-process.js';

const CONVERSATIONS = 10_000;
const CALLS = 2_000;

function percentiles(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
  return `${at(50).toFixed(2)} / ${at(95).toFixed(2)} / ${at(99).toFixed(2)}`;
}

async function time(server: BenchServer, call: () => Promise<unknown>) {
  for (let i = 0; i < 100; i++) await call(); // warm-up
  const before = (await server.memory()).statements;
  const samples: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const startedAt = performance.now();
    await call();
    samples.push(performance.now() - startedAt);
  }
  const statements = ((await server.memory()).statements - before) / CALLS;
  return { 'ms median / p95 / p99': percentiles(samples), 'statements/request': statements.toFixed(2) };
}

async function bench(engine: string, databaseUrl?: string) {
  const dataDir = mkdtempSync(join(tmpdir(), 'llmc-requests-'));
  const server = await startBenchServer(benchServerEnv({ databaseUrl, dataDir }));
  try {
    const signedIn = await server.api.mutate<{ accessToken: string }>('auth.register', {
      email: `requests-${randomBytes(6).toString('hex')}@example.test`,
      password: 'requests horse battery staple',
      transport: 'body',
    });
    const user: BenchApi = server.api.withToken(signedIn.accessToken);
    for (let i = 0; i < CONVERSATIONS; i += 50) {
      await Promise.all(Array.from({ length: 50 }, () => user.mutate('conversations.create', {})));
    }
    await server.analyze();
    const rows = {
      'conversations.list (first page of 50)': await time(server, () =>
        user.query('conversations.list', { limit: 50 }),
      ),
      'auth.me': await time(server, () => user.query('auth.me', undefined)),
    };
    console.log(`\n${engine}: ${CONVERSATIONS.toLocaleString('en')} conversations, ${CALLS} sequential calls each`);
    console.table(rows);
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await bench('pglite');
const postgresUrl = process.env['DATABASE_URL'] || process.env['TEST_DATABASE_URL'];
if (postgresUrl) await withPostgresDatabase(postgresUrl, (url) => bench('postgres', url));
