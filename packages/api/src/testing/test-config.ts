import { randomBytes } from 'node:crypto';
import type { ApiConfig, ProviderConfig } from '../config.js';
import { DEFAULT_PROVIDER_ID } from '../constants.js';

/** An address nothing listens on: a test that reaches the provider without meaning to fails fast. */
const UNREACHABLE_PROVIDER_URL = 'http://127.0.0.1:9/v1';

export const TEST_COUNCIL = ['test/alpha', 'test/beta', 'test/gamma'];
export const TEST_CHAIRMAN = 'test/chair';

/**
 * An `ApiConfig` for tests that call the routers directly: fresh random secrets, the server's
 * default rate limits and token lifetimes, and one OpenRouter-like provider at `providerUrl`.
 * The host's `loadConfig` is tested on its own; this only has to be a valid configuration.
 */
export function createTestApiConfig(
  options: { providerUrl?: string; provider?: Partial<ProviderConfig>; overrides?: Partial<ApiConfig> } = {},
): ApiConfig {
  return {
    isProduction: false,
    jwt: {
      keys: [{ kid: 'k1', secret: randomBytes(48) }],
      issuer: 'llm-council',
      audience: 'llm-council',
      accessTokenTtlSeconds: 3600,
      clockToleranceSeconds: 5,
    },
    refreshToken: { ttlSeconds: 7 * 24 * 3600, graceSeconds: 10, cookieName: 'llmc_refresh', cookiePath: '/trpc' },
    encryptionKeys: [{ kid: 'k1', key: randomBytes(32) }],
    corsOrigins: [],
    rateLimits: {
      loginFailuresPerAccount: { limit: 10, windowSeconds: 15 * 60 },
      loginPerIp: { limit: 100, windowSeconds: 15 * 60 },
      registerPerIp: { limit: 100, windowSeconds: 60 * 60 },
      refreshPerIp: { limit: 600, windowSeconds: 15 * 60 },
      councilRunsPerUser: { limit: 20, windowSeconds: 60 },
    },
    providers: [
      {
        id: DEFAULT_PROVIDER_ID,
        label: 'OpenRouter',
        baseUrl: options.providerUrl ?? UNREACHABLE_PROVIDER_URL,
        fallbackApiKey: null,
        hasKeyEndpoint: true,
        ...options.provider,
      },
    ],
    council: {
      models: TEST_COUNCIL,
      chairmanModel: TEST_CHAIRMAN,
      titleModel: null,
      maxConcurrentRunsPerUser: 3,
      heartbeatSeconds: 5,
      staleAfterSeconds: 20,
    },
    appUrl: 'http://localhost:3000',
    appTitle: 'LLM Council',
    ...options.overrides,
  };
}
