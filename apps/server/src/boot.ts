import cluster from 'node:cluster';
import { createDb } from '@llm-council/db';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { startServer } from './server.js';
import { runWorkers } from './workers.js';

/**
 * Boots the whole server from an environment: config, database, HTTP, and clean shutdown on
 * SIGINT/SIGTERM. `main.ts` passes `process.env`; the offline demo adds its fake upstream.
 */
export async function bootServer(env: Record<string, string | undefined>): Promise<void> {
  const notices: string[] = [];
  let config;
  try {
    config = loadConfig(env, { onNotice: (message) => notices.push(message) });
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  if (cluster.isPrimary) for (const notice of notices) logger.warn(notice);
  if (config.workers > 1 && cluster.isPrimary) {
    runWorkers(config.workers, { logger, shutdownGraceSeconds: config.shutdownGraceSeconds });
    return;
  }

  const dbHandle = await createDb({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    pgliteThread: config.pgliteThread,
    connectTimeoutMs: config.dbConnectTimeoutMs,
    // Routine on a restart or failover; the pool and LISTEN connection recover by themselves.
    onConnectionError: (error, where) => logger.warn({ err: error, where }, 'database connection lost'),
  });
  logger.info(
    { database: config.databaseUrl ? 'postgres' : `pglite (${config.dataDir})` },
    config.databaseUrl ? 'using PostgreSQL' : 'using the embedded database',
  );
  const server = await startServer({ config, dbHandle, logger });
  logger.info({ url: server.url, pid: process.pid }, `LLM Council is listening on ${server.url}`);

  let isStopping = false;
  const stop = async (signal: string) => {
    if (isStopping) return;
    isStopping = true;
    logger.info({ signal }, 'shutting down');
    const forced = setTimeout(() => {
      logger.error({ graceSeconds: config.shutdownGraceSeconds }, 'shutdown grace period over; exiting now');
      process.exit(1);
    }, config.shutdownGraceSeconds * 1000).unref();
    await server.close();
    await dbHandle.close();
    clearTimeout(forced);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}
