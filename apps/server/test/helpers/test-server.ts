import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatTimeouts } from '@llm-council/council';
import { createCouncilClient, memoryTokenStore, type CouncilClient, type TokenStore } from '@llm-council/sdk';
import { TEST_PASSWORD, createUser } from '@llm-council/api/testing';
import { createTestDb } from '@llm-council/db/testing';
import { loadConfig, type ServerConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startServer } from '../../src/server.js';

export interface TestServer {
  url: string;
  config: ServerConfig;
  db: Awaited<ReturnType<typeof createTestDb>>['db'];
  dbHandle: Awaited<ReturnType<typeof createTestDb>>;
  /** Every log line the server wrote (JSON strings), for leak scans. */
  logs: string[];
  /** Every response body a client built with `client()` (or a raw `call`) received. */
  responseBodies: string[];
  /** Moves the server's clock (negative values move it back); the database's own `now()` is unaffected. */
  advanceClock(seconds: number): void;
  /** Stops the server's clock at its current reading (or `at`) until `unfreezeClock()`. */
  freezeClock(at?: Date): void;
  unfreezeClock(): void;
  /** The server's current time. */
  now(): Date;
  client(options?: {
    transport?: 'cookie' | 'body';
    tokenStore?: TokenStore;
    fetch?: typeof fetch;
    onSessionExpired?: () => void;
  }): CouncilClient;
  close(): Promise<void>;
}

export function testSecrets(): Record<string, string> {
  return {
    JWT_SECRET: randomBytes(48).toString('base64'),
    API_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  };
}

/**
 * A real HTTP server on a random loopback port, over a fresh test database (PGlite, or the
 * PostgreSQL server of TEST_DATABASE_URL). Pass `env` to override configuration variables.
 */
export async function startTestServer(
  options: {
    env?: Record<string, string>;
    dbHandle?: TestServer['dbHandle'];
    /** Shorter upstream timeouts, for tests of models that hang. */
    upstreamTimeouts?: Partial<ChatTimeouts>;
  } = {},
): Promise<TestServer> {
  const dbHandle = options.dbHandle ?? (await createTestDb());
  const logs: string[] = [];
  const logger = createLogger('info', { write: (line: string) => void logs.push(line) });
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'llmc-test-')),
    ...testSecrets(),
    // Cheap password hashes (production refuses them); tests of the hash queue or of timing pass 'standard'.
    ...(options.env?.['NODE_ENV'] === 'production' ? {} : { PASSWORD_HASH_PROFILE: 'insecure-test' }),
    ...options.env,
  });
  let clockOffsetMs = 0;
  let frozenAt: number | null = null;
  const now = () => new Date((frozenAt ?? Date.now()) + clockOffsetMs);
  const server = await startServer({
    config,
    dbHandle,
    logger,
    now,
    ...(options.upstreamTimeouts ? { upstreamTimeouts: options.upstreamTimeouts } : {}),
  });
  const responseBodies: string[] = [];
  return {
    url: server.url,
    config,
    db: dbHandle.db,
    dbHandle,
    logs,
    responseBodies,
    advanceClock: (seconds) => {
      clockOffsetMs += seconds * 1000;
    },
    freezeClock: (at) => {
      frozenAt = (at?.getTime() ?? now().getTime()) - clockOffsetMs;
    },
    unfreezeClock: () => {
      frozenAt = null;
    },
    now,
    client: (clientOptions = {}) => {
      const baseFetch = clientOptions.fetch ?? fetch;
      return createCouncilClient({
        url: server.url,
        tokenStore: clientOptions.tokenStore ?? memoryTokenStore(),
        fetch: async (input, init) => {
          const response = await baseFetch(input, init);
          if (!response.headers.get('content-type')?.includes('text/event-stream')) {
            responseBodies.push(await response.clone().text());
          }
          return response;
        },
        transport: clientOptions.transport ?? 'body',
        ...(clientOptions.onSessionExpired ? { onSessionExpired: clientOptions.onSessionExpired } : {}),
      });
    },
    async close() {
      await server.close();
      if (!options.dbHandle) await dbHandle.close();
    },
  };
}

let counter = 0;

/** A unique, valid email for a test user. */
export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}-${randomBytes(3).toString('hex')}@example.test`;
}

export const STRONG_PASSWORD = TEST_PASSWORD;

/**
 * A new user, inserted by the API's factory (tests about sign-up call `auth.register` themselves),
 * and a client signed in as them through the SDK.
 */
export async function registerUser(
  server: TestServer,
  email = uniqueEmail(),
  password = STRONG_PASSWORD,
  options: { tokenStore?: TokenStore } = {},
): Promise<{ client: CouncilClient; email: string; userId: string; password: string }> {
  const user = await createUser(server.db, { email, password });
  const client = server.client(options);
  await client.auth.login.mutate({ email, password });
  return { client, email, userId: user.id, password };
}
