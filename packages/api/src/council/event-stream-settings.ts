import { initTRPC, type AnyRouter } from '@trpc/server';
import type { ApiConfig } from '../config.js';
import type { Context } from '../context.js';
import { errorFormatter } from '../trpc.js';

/**
 * tRPC reads its SSE options (ping, maximum duration, the client's inactivity timeout) from the
 * root config `initTRPC.create()` fixes. The host's settings come from its environment (and tests
 * run hosts with different settings in one process), so each host gets a tRPC instance of its own
 * created with them, and serves the app router merged under it: `mergeRouters` takes the first
 * router's SSE settings and checks that the error formatters agree. Only public API is used (no
 * `_def` is written); event-stream-settings.test.ts holds tRPC to the merge keeping them.
 */
export function withEventStreamSettings<TRouter extends AnyRouter>(
  router: TRouter,
  streams: ApiConfig['streams'],
): TRouter {
  const pingMs = streams.pingSeconds * 1000;
  const host = initTRPC.context<Context>().create({
    errorFormatter,
    sse: {
      enabled: true,
      // A comment-like `ping` event keeps proxies from closing a quiet stream…
      ping: { enabled: true, intervalMs: pingMs },
      // …a stream ends after this long without a `return` event, so the client reconnects with its
      // last event id (on any host) and a long-lived connection cannot hold a slot forever…
      maxDurationMs: streams.maxDurationSeconds * 1000,
      // …and a client that hears nothing for three pings takes the connection for dead and reconnects.
      client: { reconnectAfterInactivityMs: pingMs * 3 },
    },
  });
  return host.mergeRouters(host.router({}), router);
}
