import { createTestDb } from '@llm-council/db/testing';
import { test } from 'vitest';
import { signSessionToken } from '../auth/session-token.js';
import { startRefreshFamily } from '../auth/refresh-token.service.js';
import type { PublicUser } from '../auth/users.repository.js';
import type { ApiConfig } from '../config.js';
import type { RequestInfo } from '../context.js';
import { createServices, type Services } from '../create-services.js';
import type { Clock, Logger } from '../ports.js';
import { appRouter } from '../root.js';
import { createCallerFactory } from '../trpc.js';
import { createUser } from './factories.js';
import { createTestApiConfig } from './test-config.js';
import { createTestContext, type TestContext } from './test-context.js';

const createCaller = createCallerFactory(appRouter);
export type Caller = ReturnType<typeof createCaller>;

/** The API over a fresh migrated database, without HTTP: what router tests call. */
export interface TestApi {
  db: Awaited<ReturnType<typeof createTestDb>>['db'];
  config: ApiConfig;
  services: Services;
  /** Every line the API logged, as the objects it passed. */
  logs: { level: string; obj: object; msg: string | undefined }[];
  now: Clock;
  /** Moves the API's clock (negative moves it back); the database's own `now()` is unaffected. */
  advanceClock(seconds: number): void;
  /** Stops the clock at its current reading until `unfreezeClock()` (for same-second races). */
  freezeClock(): void;
  unfreezeClock(): void;
  /** A request context; `request` states what differs from a same-machine anonymous request. */
  context(request?: Partial<RequestInfo>): TestContext;
  /** A caller without a session (register, login, refresh). */
  caller(request?: Partial<RequestInfo>): Caller;
  /** A caller signed in as `user`: a new session (refresh family) and its access token. */
  callerFor(user: { id: string }, request?: Partial<RequestInfo>): Promise<Caller>;
  /** A new user (password TEST_PASSWORD) and a caller signed in as them. */
  signUp(): Promise<{ user: PublicUser; caller: Caller }>;
  /**
   * Another host on the same database: services of its own (maths cache, run hubs, stream slots)
   * over the same rows, as a second server process would have. Closed with this one.
   */
  anotherHost(): TestApi;
  close(): Promise<void>;
}

type TestDbHandle = Awaited<ReturnType<typeof createTestDb>>;

export async function openTestApi(options: { config?: ApiConfig; fetch?: typeof fetch } = {}): Promise<TestApi> {
  const dbHandle = await createTestDb();
  return buildTestApi(dbHandle, options, 'test-host', () => dbHandle.close());
}

function buildTestApi(
  dbHandle: TestDbHandle,
  options: { config?: ApiConfig; fetch?: typeof fetch },
  hostId: string,
  closeDb: () => Promise<void>,
): TestApi {
  const config = options.config ?? createTestApiConfig();
  const logs: TestApi['logs'] = [];
  const logger: Logger = {
    info: (obj, msg) => void logs.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => void logs.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => void logs.push({ level: 'error', obj, msg }),
  };
  const handle = createServices({
    db: dbHandle.db,
    notifications: null,
    config,
    logger,
    hostId,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  let clockOffsetMs = 0;
  let frozenAt: number | null = null;
  const now: Clock = () => new Date((frozenAt ?? Date.now()) + clockOffsetMs);
  const context = (request?: Partial<RequestInfo>) =>
    createTestContext({ db: dbHandle.db, config, services: handle.services, now, logger }, request);
  const callerFor = async (user: { id: string }, request?: Partial<RequestInfo>) => {
    const deps = { db: dbHandle.db, config, now };
    const session = await startRefreshFamily(deps, user.id, { userAgent: 'vitest', ip: '127.0.0.1' });
    const subject = { userId: user.id, sessionId: session.familyId, epoch: session.epoch };
    const { token } = await signSessionToken(config.jwt, subject, now());
    return createCaller(context({ ...request, accessToken: token }));
  };
  const otherHosts: TestApi[] = [];
  return {
    db: dbHandle.db,
    config,
    services: handle.services,
    logs,
    now,
    advanceClock: (seconds) => void (clockOffsetMs += seconds * 1000),
    freezeClock: () => void (frozenAt = Date.now()),
    unfreezeClock: () => void (frozenAt = null),
    context,
    caller: (request) => createCaller(context(request)),
    callerFor,
    async signUp() {
      const user = await createUser(dbHandle.db);
      return { user, caller: await callerFor(user) };
    },
    anotherHost() {
      const host = buildTestApi(dbHandle, { ...options, config }, `test-host-${otherHosts.length + 2}`, async () => {});
      otherHosts.push(host);
      return host;
    },
    async close() {
      for (const host of otherHosts) await host.close();
      await handle.shutdown();
      await closeDb();
    },
  };
}

/**
 * `test` with an `api` fixture: one database per test file (like the HTTP tests' server),
 * opened on first use and closed after the file's last test.
 *
 * @example
 * apiTest('conversations.get of another user is NOT_FOUND', async ({ api }) => { … });
 */
export const apiTest = test.extend('api', { scope: 'file' }, async ({}, { onCleanup }) => {
  const api = await openTestApi();
  onCleanup(() => api.close());
  return api;
});
