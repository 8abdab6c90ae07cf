import { initTRPC } from '@trpc/server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { expect, test } from 'vitest';
import { withEventStreamSettings } from './event-stream-settings.js';

/*
 * Each host serves the routers with its own SSE settings (STREAM_PING_SECONDS,
 * STREAM_MAX_DURATION_SECONDS), several hosts in one process included. tRPC applies them only if
 * `mergeRouters` keeps the first router's root config: an upgrade that stopped doing so would fail
 * here, not silently in production. The HTTP-level test is apps/server/test/event-streams.test.ts.
 */

const t = initTRPC.create();
// A stream that never sends anything of its own: whatever arrives is tRPC's (connected, ping).
const quiet = t.router({
  silence: t.procedure.subscription(async function* (opts) {
    await new Promise((resolve) => opts.signal?.addEventListener('abort', resolve));
    yield* [];
  }),
});

/** Everything one host sends on a `silence` stream until the stream ends by itself. */
async function readStream(streams: { pingSeconds: number; maxDurationSeconds: number }): Promise<string> {
  const response = await fetchRequestHandler({
    endpoint: '/trpc',
    router: withEventStreamSettings(quiet, { maxPerUser: 20, ...streams }),
    req: new Request('http://host.test/trpc/silence', { headers: { Accept: 'text/event-stream' } }),
    createContext: () => ({}),
  });
  return response.text();
}

test('each host’s stream carries its own ping, its own inactivity timeout for clients, and ends at its own maximum', async () => {
  // Two hosts in one process, one pinging often and one not within the stream's life.
  const [pinging, quietHost] = await Promise.all([
    readStream({ pingSeconds: 0.05, maxDurationSeconds: 0.5 }),
    readStream({ pingSeconds: 60, maxDurationSeconds: 0.5 }),
  ]);

  // The stream ended without a `return` event: ended by the maximum duration, so a client resumes.
  expect(pinging).not.toContain('event: return');
  expect(pinging).toContain('event: ping');
  expect(pinging).toContain('"reconnectAfterInactivityMs":150');
  expect(quietHost).not.toContain('event: ping');
  expect(quietHost).toContain('"reconnectAfterInactivityMs":180000');
});
