/**
 * The server under benchmark, as a child process of `council.bench.ts`: the same composition as
 * `src/main.ts`, with the per-user run rate limit lifted so the load generator measures the
 * council, not the limiter. It reports its URL and its memory over IPC. Like `main.ts`, this is a
 * process entry point, so it reads the environment.
 */
import { createDb } from '@llm-council/db';
import { sql } from 'kysely';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { startServer } from '../src/server.js';

export type BenchServerMessage =
  | { type: 'ready'; url: string }
  | { type: 'analyzed' }
  | {
      type: 'memory';
      maxRssBytes: number;
      rssBytes: number;
      heapUsedBytes: number;
      cpuMs: number;
      statements: number;
      /** Notifications received on the LISTEN connection (0 on the embedded database). */
      notifications: number;
      /** Timers, sockets and other resources keeping the event loop alive. */
      handles: number;
      /** Run logs held in memory by the event hub. */
      liveLogs: number;
    };

const send = (message: BenchServerMessage): void => {
  process.send?.(message);
};

const loaded = loadConfig(process.env);
const config = {
  ...loaded,
  api: {
    ...loaded.api,
    rateLimits: { ...loaded.api.rateLimits, councilRunsPerUser: { limit: 1_000_000, windowSeconds: 60 } },
  },
};
const logger = createLogger(config.logLevel);
let statements = 0;
const dbHandle = await createDb({
  databaseUrl: config.databaseUrl,
  dataDir: config.dataDir,
  pgliteThread: config.pgliteThread,
  onQuery: () => {
    statements += 1;
  },
});
const server = await startServer({ config, dbHandle, logger });
send({ type: 'ready', url: server.url });

process.on('message', (message: unknown) => {
  // Fresh planner statistics, as autovacuum (PostgreSQL) or the embedded database's own
  // maintenance would have them a few minutes later: benchmarks measure the steady state.
  if ((message as { type?: string }).type === 'analyze') {
    void sql`analyze`.execute(dbHandle.db).then(() => send({ type: 'analyzed' }));
    return;
  }
  if ((message as { type?: string }).type !== 'memory') return;
  // resourceUsage().maxRSS is the process's peak resident set so far, in kilobytes.
  const { maxRSS, userCPUTime, systemCPUTime } = process.resourceUsage();
  send({
    type: 'memory',
    maxRssBytes: maxRSS * 1024,
    rssBytes: process.memoryUsage().rss,
    heapUsedBytes: process.memoryUsage().heapUsed,
    handles: process.getActiveResourcesInfo().length,
    liveLogs: server.services.council.hub.liveLogs,
    cpuMs: (userCPUTime + systemCPUTime) / 1000,
    statements,
    notifications: dbHandle.notifications?.received ?? 0,
  });
});

let isStopping = false;
async function stop(): Promise<void> {
  if (isStopping) return;
  isStopping = true;
  await server.close();
  await dbHandle.close();
  process.exit(0);
}
process.on('SIGTERM', () => void stop());
// If the benchmark dies, do not linger.
process.on('disconnect', () => void stop());
