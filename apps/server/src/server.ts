import type { AddressInfo } from 'node:net';
import { createServices, type Clock, type Services } from '@llm-council/api';
import type { ChatTimeouts } from '@llm-council/council';
import { migrateToLatest, type DbHandle } from '@llm-council/db';
import type { Logger } from 'pino';
import { createApp } from './app.js';
import type { ServerConfig } from './config.js';

/** How long a shutdown waits for open event streams to deliver their last events. */
const STREAM_DRAIN_MS = 2_000;

export interface RunningServer {
  url: string;
  port: number;
  services: Services;
  /**
   * Graceful shutdown: refuses new work, interrupts live runs (stored, announced), then ends open
   * connections. Does not close the database.
   */
  close(): Promise<void>;
}

/**
 * Wires the application onto an open database and starts listening. `main.ts` calls it with
 * the environment's config; tests call it with their own config and a test database.
 */
export async function startServer(options: {
  config: ServerConfig;
  dbHandle: DbHandle;
  logger: Logger;
  fetch?: typeof fetch;
  /** Overrides the wall clock procedures see (tests use it to cross token lifetimes without sleeping). */
  now?: Clock;
  /** Shorter upstream timeouts for tests of hanging models. */
  upstreamTimeouts?: Partial<ChatTimeouts>;
}): Promise<RunningServer> {
  const { config, dbHandle, logger } = options;
  if (config.migrateOnStart) {
    const { applied } = await migrateToLatest(dbHandle.db);
    if (applied.length > 0) logger.info({ applied }, 'database migrated');
  }
  const handle = createServices({
    db: dbHandle.db,
    notifications: dbHandle.notifications,
    config: config.api,
    logger,
    hostId: config.hostId,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.upstreamTimeouts ? { upstreamTimeouts: options.upstreamTimeouts } : {}),
  });
  await handle.start();
  let isShuttingDown = false;
  const app = createApp({
    db: dbHandle.db,
    dbHandle,
    isShuttingDown: () => isShuttingDown,
    config,
    services: handle.services,
    logger,
    ...(options.now ? { now: options.now } : {}),
  });
  const server = app.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
    port,
    services: handle.services,
    async close() {
      // Stop taking work first (new connections are refused, requests on open ones get 503), then
      // record live runs as interrupted with every event stored — their subscribers here receive
      // `run_interrupted` — and only then cut the streams, so clients resume on another host.
      isShuttingDown = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await handle.shutdown();
      // Subscribers of the interrupted runs end by themselves once `run_interrupted` is out.
      const drainUntil = Date.now() + STREAM_DRAIN_MS;
      while (handle.services.council.hub.subscribers > 0 && Date.now() < drainUntil) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      server.closeAllConnections();
      await closed;
    },
  };
}
