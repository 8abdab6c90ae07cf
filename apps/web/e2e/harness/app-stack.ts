import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchBrowser } from './browser';
import { startCouncilServer, startFakeUpstream, type ChildService } from './processes';

/** What a browser test file runs against: set by the file's `beforeAll`, read inside its tests. */
interface AppStack {
  upstream: ChildService;
  server: ChildService;
  browser: Browser;
}

/**
 * One fake upstream, one server and one browser for the calling test file: started before its
 * first test, stopped after its last. Every test signs up its own user.
 */
export function useAppStack(
  options: { scenario?: Parameters<typeof startFakeUpstream>[0]; env?: Record<string, string> } = {},
): AppStack {
  const stack = {} as Partial<AppStack>;
  beforeAll(async () => {
    const upstream = await startFakeUpstream(options.scenario);
    stack.upstream = upstream;
    [stack.server, stack.browser] = await Promise.all([startCouncilServer(upstream.url, options.env), launchBrowser()]);
  });
  afterAll(async () => {
    await stack.browser?.close();
    await stack.server?.stop();
    await stack.upstream?.stop();
  });
  return stack as AppStack;
}
