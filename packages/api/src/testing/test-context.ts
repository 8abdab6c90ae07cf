import { randomUUID } from 'node:crypto';
import type { Database } from '@llm-council/db';
import type { Kysely } from 'kysely';
import type { ApiConfig } from '../config.js';
import type { Context, CookieJar, RequestInfo } from '../context.js';
import type { Services } from '../create-services.js';
import { systemClock, type Clock, type Logger } from '../ports.js';

/** A cookie jar that remembers what the API set, so a test can read it back. */
export interface TestCookieJar extends CookieJar {
  readonly values: Map<string, { value: string; maxAgeSeconds: number | undefined }>;
}

export type TestContext = Context & { cookies: TestCookieJar };

export interface TestContextDeps {
  db: Kysely<Database>;
  config: ApiConfig;
  services: Services;
  now?: Clock;
  logger?: Logger;
}

/**
 * The context the HTTP host would build for one request, built by hand: a test states the
 * request it means (caller IP, origin, bearer token) and everything else is a sensible default.
 */
export function createTestContext(deps: TestContextDeps, request: Partial<RequestInfo> = {}): TestContext {
  const values: TestCookieJar['values'] = new Map();
  return {
    db: deps.db,
    config: deps.config,
    services: deps.services,
    logger: deps.logger ?? silentLogger,
    now: deps.now ?? systemClock,
    req: {
      requestId: randomUUID(),
      ip: '127.0.0.1',
      userAgent: 'vitest',
      origin: null,
      isSameOrigin: false,
      accessToken: null,
      ...request,
    },
    cookies: {
      values,
      get: (name) => values.get(name)?.value,
      set: (name, value, options) => void values.set(name, { value, maxAgeSeconds: options.maxAgeSeconds }),
      clear: (name) => void values.delete(name),
    },
  };
}

const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
