import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createDb } from '@llm-council/db';
import { sql } from 'kysely';
import { BenchApi } from './bench-client.js';
import type { BenchServerMessage } from './bench-server.js';

type Memory = Extract<BenchServerMessage, { type: 'memory' }>;

/** The server under benchmark, in a child process: its API and its own figures over IPC. */
export interface BenchServer {
  api: BenchApi;
  memory(): Promise<Memory>;
  /** Refreshes the database's planner statistics. */
  analyze(): Promise<void>;
  stop(): Promise<void>;
}

export async function startBenchServer(env: Record<string, string>): Promise<BenchServer> {
  const child: ChildProcess = fork(join(import.meta.dirname, 'bench-server.ts'), [], {
    // BENCH_CPU_PROF=<dir> writes a .cpuprofile of the server there when it stops.
    execArgv: [
      '--import',
      'tsx',
      ...(process.env['BENCH_CPU_PROF'] ? ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_CPU_PROF']}`] : []),
    ],
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
    memory: () => ask<Memory>(child, 'memory'),
    analyze: async () => {
      await ask(child, 'analyze', 'analyzed');
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A throwaway database on the PostgreSQL server, dropped afterwards. */
export async function withPostgresDatabase<T>(serverUrl: string, use: (url: string) => Promise<T>): Promise<T> {
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

/**
 * The environment of a benchmarked server: production mode, fresh secrets, quiet logs, a random
 * port, and the embedded database in `dataDir` unless `databaseUrl` names a PostgreSQL database.
 */
export function benchServerEnv(
  target: { databaseUrl?: string | undefined; dataDir: string },
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    NODE_ENV: 'production',
    REGISTRATION: 'open',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    JWT_SECRET: randomBytes(48).toString('base64'),
    API_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    // PGLITE_THREAD=main benchmarks the embedded database on the event loop, as before decision 0015.
    ...(process.env['PGLITE_THREAD'] ? { PGLITE_THREAD: process.env['PGLITE_THREAD'] } : {}),
    ...extra,
    ...(target.databaseUrl ? { DATABASE_URL: target.databaseUrl } : { DATA_DIR: target.dataDir }),
  };
}

/** Sends the server a request over IPC and resolves with its answer (of type `answer`). */
function ask<T extends BenchServerMessage>(child: ChildProcess, type: string, answer = type): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (message: BenchServerMessage) => {
      if (message.type !== answer) return;
      child.off('message', onMessage);
      resolve(message as T);
    };
    child.on('message', onMessage);
    child.send({ type });
  });
}

/** Ends the benchmark, whatever it is doing, once it has run for `ms`. */
export function giveUpAfter(ms: number): void {
  setTimeout(() => {
    console.error(`benchmark exceeded ${ms / 60_000} minutes; giving up`);
    process.exit(1);
  }, ms).unref();
}
