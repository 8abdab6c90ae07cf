import type { AppRouter } from '../root.js';
import type { ApiConfig } from '../config.js';

/**
 * tRPC reads its SSE options (ping, maximum duration, the client's inactivity timeout) from the
 * router's root config, fixed by `initTRPC.create()` for the whole process. The host's settings
 * come from its environment, so each host serves a router whose config carries its own: same
 * procedures, same error formatter, its own `sse`.
 */
export function withEventStreamSettings(router: AppRouter, streams: ApiConfig['streams']): AppRouter {
  const pingMs = streams.pingSeconds * 1000;
  const sse = {
    enabled: true,
    // A comment-like `ping` event keeps proxies from closing a quiet stream…
    ping: { enabled: true, intervalMs: pingMs },
    // …a stream ends after this long without a `return` event, so the client reconnects with its
    // last event id (on any host) and a long-lived connection cannot hold a slot forever…
    maxDurationMs: streams.maxDurationSeconds * 1000,
    // …and a client that hears nothing for three pings takes the connection for dead and reconnects.
    client: { reconnectAfterInactivityMs: pingMs * 3 },
  };
  return { ...router, _def: { ...router._def, _config: { ...router._def._config, sse } } };
}
