import { defaultCouncilMethod } from '@llm-council/council';
import { randomBytes } from 'node:crypto';
import { fixedApiSettings, type ApiConfig, type ProviderConfig } from '../config.js';
import { DEFAULT_PROVIDER_ID } from '../constants.js';

/** An address nothing listens on: a test that reaches the provider without meaning to fails fast. */
const UNREACHABLE_PROVIDER_URL = 'http://127.0.0.1:9/v1';

export const TEST_COUNCIL = ['test/alpha', 'test/beta', 'test/gamma'];
export const TEST_CHAIRMAN = 'test/chair';

/**
 * An `ApiConfig` for tests that call the routers directly: fresh random secrets, production's
 * rate limits and token lifetimes, and one OpenRouter-like provider at `providerUrl`.
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
    ...fixedApiSettings,
    encryptionKeys: [{ kid: 'k1', key: randomBytes(32) }],
    corsOrigins: [],
    passwordHashQueueMax: 32,
    // Cheap hashes: a sign-up costs a millisecond, not 130 ms (tests of the hash queue ask for 'standard').
    passwordHashProfile: 'insecure-test',
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
      maxAnswerChars: 200_000,
      serverCouncils: [],
      heartbeatSeconds: 5,
      staleAfterSeconds: 20,
      events: { deltaIntervalMs: 100, maxDeltaIntervalMs: 500, writeRetryWindowSeconds: 30 },
      method: (({ biasControls: _biasControls, ...method }) => method)(defaultCouncilMethod),
    },
    operator: {
      registration: 'open',
      inviteTtlDays: 7,
      serverKey: { users: 'admins', maxTokensPerCall: 4000, dailyTokens: 200_000, dailyUsd: null },
    },
    streams: { maxPerUser: 20, pingSeconds: 15, maxDurationSeconds: 1800 },
    // Housekeeping runs when a test calls runCleanup; no timer in tests.
    cleanup: { intervalMinutes: null, deltaRetentionDays: 30, auditRetentionDays: 365 },
    appUrl: 'http://localhost:3000',
    importMaxBytes: 2 * 1024 * 1024,
    // Generous: tests import many files for one user; the quota tests set their own (import-quotas.test.ts).
    imports: {
      perHour: { limit: 1_000, windowSeconds: 3600 },
      kibPerDay: { limit: 1024 * 1024, windowSeconds: 86_400 },
      userStorageMaxBytes: null,
    },
    appTitle: 'LLM Council',
    ...options.overrides,
  };
}
