import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';

/**
 * WORKERS=N: this process becomes the primary of N server processes sharing its port (node:cluster
 * hands them connections in turn). Each worker boots the whole server — its own pool, LISTEN
 * connection and host id — so the workers are hosts of the multi-host design on one machine and
 * follow each other's runs through PostgreSQL. The primary serves nothing itself: it starts the
 * workers, replaces one that dies, and on SIGTERM or SIGINT stops them all gracefully and exits
 * once the last one is gone.
 */
export function runWorkers(count: number, options: { logger: Logger; shutdownGraceSeconds: number }): void {
  const { logger } = options;
  const listening = new Set<Worker>();
  let isStopping = false;
  let exitCode = 0;

  const start = (): void => {
    const worker = cluster.fork();
    worker.once('listening', () => {
      listening.add(worker);
      if (listening.size === count) logger.info({ workers: count }, `${count} server processes are listening`);
    });
    worker.once('exit', (code, signal) => {
      const hadListened = listening.delete(worker);
      if (isStopping) {
        if (code !== 0) exitCode = 1;
        if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(exitCode);
        return;
      }
      if (!hadListened) {
        // It failed while starting (a bad database URL, say): starting it again would fail the same way.
        logger.error({ pid: worker.process.pid, code, signal }, 'a server process failed to start; stopping');
        exitCode = 1;
        stop('startup failure');
        return;
      }
      logger.error({ pid: worker.process.pid, code, signal }, 'a server process died; starting another');
      start();
    });
  };

  const stop = (reason: string): void => {
    if (isStopping) return;
    isStopping = true;
    logger.info({ reason }, 'stopping every server process');
    const workers = Object.values(cluster.workers ?? {}).filter((worker) => worker !== undefined);
    if (workers.length === 0) process.exit(exitCode);
    // Each worker has its own grace period; a worker that outlives it and a margin is killed.
    setTimeout(
      () => {
        logger.error({ graceSeconds: options.shutdownGraceSeconds }, 'server processes outlived the grace period');
        for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
        process.exit(1);
      },
      (options.shutdownGraceSeconds + 5) * 1000,
    ).unref();
    for (const worker of workers) worker.process.kill('SIGTERM');
  };

  for (let i = 0; i < count; i++) start();
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
