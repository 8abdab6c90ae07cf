import pg from 'pg';

/** Called with each notification's payload on a channel. */
export type NotificationHandler = (payload: string) => void;

/**
 * Postgres LISTEN on a connection of its own that comes back by itself. A lost connection (a
 * restart, a failover, `pg_terminate_backend`) is reconnected with capped exponential backoff,
 * every channel is listened to again, and `onReconnect` listeners run: notifications sent while
 * the connection was down are gone for good, so they must catch up from the tables.
 */
export interface Notifications {
  /**
   * LISTENs on the channel (once, however many handlers) and calls `onPayload` for each of its
   * notifications. The returned function removes the handler; the last one to go UNLISTENs, so a
   * host hears a channel only while somebody there needs it.
   */
  listen(channel: string, onPayload: NotificationHandler): Promise<() => void>;
  /** The channels listened to now (with at least one handler). */
  readonly channels: readonly string[];
  /** Notifications received since this handle was created, on every channel (benchmarks read it). */
  readonly received: number;
  /** Runs after every reconnect (not after the first connect). */
  onReconnect(listener: () => void): () => void;
  /** True while the LISTEN connection is up. */
  readonly isConnected: boolean;
  close(): Promise<void>;
}

export interface NotificationsOptions {
  connectionString: string;
  /** Reports a lost connection or a failed reconnect; must not throw. */
  onError?: (error: unknown) => void;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

const CHANNEL_NAME = /^[a-z_][a-z0-9_]*$/;

/** Connects on the first `listen`, so a handle that never listens holds no extra connection. */
export function createNotifications(options: NotificationsOptions): Notifications {
  const minBackoffMs = options.minBackoffMs ?? 100;
  const maxBackoffMs = options.maxBackoffMs ?? 5_000;
  const handlers = new Map<string, Set<NotificationHandler>>();
  const reconnectListeners = new Set<() => void>();
  let client: pg.Client | null = null;
  let isConnected = false;
  let isClosed = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let firstConnect: Promise<void> | undefined;
  let received = 0;

  /**
   * LISTEN and UNLISTEN one at a time, in the order asked: a later LISTEN of a channel must win over
   * an earlier UNLISTEN. (pg queues queries sent while one runs, but deprecates relying on it.)
   * Each runs on the client connected when its turn comes; while disconnected there is nothing to
   * do, since a reconnect LISTENs to every channel in `handlers`.
   */
  let commands: Promise<unknown> = Promise.resolve();
  function command(text: string): Promise<void> {
    const run = commands.then(async () => {
      if (client) await client.query(text);
    });
    commands = run.catch(() => undefined);
    return run;
  }

  async function connect(): Promise<void> {
    const next = new pg.Client({ connectionString: options.connectionString });
    // Without an 'error' listener a terminated backend throws out of the event loop and ends the process.
    next.on('error', (error) => {
      options.onError?.(error);
      lose(next);
    });
    next.on('end', () => lose(next));
    next.on('notification', (message) => {
      received += 1;
      for (const handler of handlers.get(message.channel) ?? []) handler(message.payload ?? '');
    });
    try {
      await next.connect();
      for (const channel of handlers.keys()) await next.query(`LISTEN ${channel}`); // names validated in listen()
    } catch (error) {
      next.removeAllListeners('end');
      await next.end().catch(() => undefined);
      throw error;
    }
    client = next;
    isConnected = true;
  }

  function lose(lost: pg.Client): void {
    if (client !== lost) return;
    client = null;
    isConnected = false;
    lost.removeAllListeners('end');
    void lost.end().catch(() => undefined);
    scheduleReconnect(minBackoffMs);
  }

  function scheduleReconnect(delayMs: number): void {
    if (isClosed || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      connect().then(
        () => {
          for (const listener of reconnectListeners) listener();
        },
        (error: unknown) => {
          options.onError?.(error);
          scheduleReconnect(Math.min(maxBackoffMs, delayMs * 2));
        },
      );
    }, delayMs);
    retryTimer.unref();
  }

  return {
    async listen(channel, onPayload) {
      if (!CHANNEL_NAME.test(channel)) throw new Error(`invalid channel name ${channel}`);
      if (!firstConnect) {
        firstConnect = connect();
        firstConnect.catch(() => {
          firstConnect = undefined; // the next listen tries again
        });
      }
      await firstConnect;
      let set = handlers.get(channel);
      if (!set) {
        set = new Set();
        handlers.set(channel, set);
        try {
          await command(`LISTEN ${channel}`);
        } catch (error) {
          // Closed meanwhile (a host shutting down): there is nothing left to hear, and no error.
          if (!isClosed) throw error;
        }
      }
      set.add(onPayload);
      return () => {
        if (!set.delete(onPayload) || set.size > 0 || handlers.get(channel) !== set) return;
        handlers.delete(channel);
        command(`UNLISTEN ${channel}`).catch((error: unknown) => {
          if (!isClosed) options.onError?.(error);
        });
      };
    },
    onReconnect(listener) {
      reconnectListeners.add(listener);
      return () => reconnectListeners.delete(listener);
    },
    get isConnected() {
      return isConnected;
    },
    get channels() {
      return [...handlers.keys()];
    },
    get received() {
      return received;
    },
    async close() {
      isClosed = true;
      clearTimeout(retryTimer);
      const current = client;
      client = null;
      isConnected = false;
      if (current) {
        current.removeAllListeners('end');
        await current.end().catch(() => undefined);
      }
    },
  };
}
