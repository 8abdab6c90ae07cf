import { startFakeUpstream, type FakeUpstreamOptions } from '@llm-council/council/fake-upstream';
import { test } from 'vitest';
import { startCouncilTestbed } from './council-harness.js';
import { startTestServer } from './test-server.js';

/*
 * The set-up every HTTP test file shares, as vitest fixtures instead of `let` + beforeAll/afterAll:
 * a test names what it needs (`async ({ server }) => …`), the fixture starts it on first use and
 * closes it after the file's last test.
 */

/** `test` with `server`: a real HTTP server on loopback over a fresh database, one per file. */
export function serverTest(options: Parameters<typeof startTestServer>[0] = {}) {
  return test.extend('server', { scope: 'file' }, async ({}, { onCleanup }) => {
    const server = await startTestServer(options);
    onCleanup(() => server.close());
    return server;
  });
}

/** `test` with `upstream` (a fake provider on loopback) and `server` pointed at it, one of each per file. */
export function upstreamServerTest(upstreamOptions: FakeUpstreamOptions) {
  return test
    .extend('upstream', { scope: 'file' }, async ({}, { onCleanup }) => {
      const upstream = await startFakeUpstream({ port: 0, ...upstreamOptions });
      onCleanup(() => upstream.close());
      return upstream;
    })
    .extend('server', { scope: 'file' }, async ({ upstream }, { onCleanup }) => {
      const server = await startTestServer({ env: { OPENROUTER_BASE_URL: upstream.url } });
      onCleanup(() => server.close());
      return server;
    });
}

/**
 * `test` with `bed`: a fake upstream and a server pointed at it, one per file. Model behaviour
 * scripted by one test is reset before the next.
 */
export function councilTest(options: Parameters<typeof startCouncilTestbed>[0] = {}) {
  const councilTest = test.extend('bed', { scope: 'file' }, async ({}, { onCleanup }) => {
    const bed = await startCouncilTestbed(options);
    onCleanup(() => bed.close());
    return bed;
  });
  councilTest.afterEach(({ bed }) => bed.upstream.reset());
  return councilTest;
}
