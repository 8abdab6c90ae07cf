import type { CouncilMethod } from '@llm-council/council';
import type { RegistrationMode, ServerKeyPolicy } from './constants.js';
import type { SavedCouncilView } from './councils/councils.schemas.js';

/**
 * The slice of configuration the API needs. The host parses the environment once (its
 * `loadConfig`) and hands this in; nothing in this package reads `process.env`.
 */
export interface SigningKey {
  kid: string;
  secret: Uint8Array;
}

export interface EncryptionKey {
  kid: string;
  /** 32 bytes for AES-256-GCM. */
  key: Buffer;
}

export interface RateLimitRule {
  limit: number;
  windowSeconds: number;
}

export interface ProviderConfig {
  /** Stable id users store keys under, e.g. `openrouter`. */
  id: string;
  label: string;
  baseUrl: string;
  /** Operator's fallback key for this provider (OPENROUTER_API_KEY), if any. */
  fallbackApiKey: string | null;
  /** Whether the provider has OpenRouter's `GET /key` endpoint to validate keys with. */
  hasKeyEndpoint: boolean;
}

/** How the API talks to providers outside a council run (run timeouts are the engine's ChatTimeouts). */
export interface ProviderRequests {
  /** A key check or a model list that takes longer than this is treated as unreachable. */
  timeoutMs: number;
  /** How long a provider's model list is reused before it is fetched again. */
  modelListTtlSeconds: number;
  /** After a failed fetch (the configured models stood in), how soon to try the provider again. */
  modelListRetrySeconds: number;
}

export interface CouncilDefaults {
  models: string[];
  chairmanModel: string;
  titleModel: string | null;
}

/** What the operator decides: who signs up, and who may spend the fallback key, how much. */
export interface OperatorConfig {
  registration: RegistrationMode;
  /** How long an invite code stays valid. */
  inviteTtlDays: number;
  serverKey: {
    /** Who runs on the fallback key unless their per-user flag overrides it. */
    users: ServerKeyPolicy;
    /** `max_tokens` sent with every upstream call a fallback-key run makes. */
    maxTokensPerCall: number;
    /** Per user per UTC day, counted from recorded usage of fallback-key runs (null: no cap). */
    dailyTokens: number | null;
    dailyUsd: number | null;
  };
}

/** argon2's cost: `standard` everywhere real; `insecure-test` only in tests (refused in production). */
export type PasswordHashProfile = 'standard' | 'insecure-test';

export interface ApiConfig {
  isProduction: boolean;
  jwt: {
    /** The first key signs; every key verifies (rotation by `kid`). */
    keys: SigningKey[];
    issuer: string;
    audience: string;
    accessTokenTtlSeconds: number;
    clockToleranceSeconds: number;
  };
  refreshToken: {
    ttlSeconds: number;
    /** How long a just-rotated token may be presented again (concurrent tabs). */
    graceSeconds: number;
    cookieName: string;
    cookiePath: string;
  };
  /** The first key encrypts; every key decrypts. */
  encryptionKeys: EncryptionKey[];
  corsOrigins: string[];
  rateLimits: {
    loginFailuresPerAccount: RateLimitRule;
    loginPerIp: RateLimitRule;
    registerPerIp: RateLimitRule;
    refreshPerIp: RateLimitRule;
    /** `auth.logout` needs no sign-in; bounded so it cannot be used to flood the security log. */
    logoutPerIp: RateLimitRule;
    councilRunsPerUser: RateLimitRule;
    /** Each save checks the key with the provider: bounded so the server is no key-testing oracle. */
    saveApiKeyPerUser: RateLimitRule;
    /** Password changes (each verifies the current password with argon2) per user and per address. */
    changePasswordPerUser: RateLimitRule;
    changePasswordPerIp: RateLimitRule;
    /** Bad, revoked or expired access tokens one address may send to /mcp and /v1 before it waits. */
    badAccessTokensPerIp: RateLimitRule;
    /** Characters of TeX not yet cached that one user may have typeset (`maths.render`); cache hits are free. */
    mathsCharsPerUser: RateLimitRule;
    /** Uploads (`POST /api/attachments`) per user, counted before the body is read. */
    uploadsPerUser: RateLimitRule;
  };
  /** Password hashes allowed to wait for a slot; beyond it sign-ins get 503 with Retry-After. */
  passwordHashQueueMax: number;
  passwordHashProfile: PasswordHashProfile;
  providers: ProviderConfig[];
  providerRequests: ProviderRequests;
  operator: OperatorConfig;
  council: CouncilDefaults & {
    maxConcurrentRunsPerUser: number;
    /** The longest answer one model call may give, in characters; longer fails UPSTREAM_TOO_LONG. */
    maxAnswerChars: number;
    /** How often a running run proves it is alive. */
    heartbeatSeconds: number;
    /** A live run silent this long is taken for dead (its host crashed) and marked interrupted. */
    staleAfterSeconds: number;
    events: {
      /** The gap between two streamed deltas of one model when the host is at ease… */
      deltaIntervalMs: number;
      /** …and the widest it gets under load. */
      maxDeltaIntervalMs: number;
      /** How long a run's event writes retry while the database is unreachable. */
      writeRetryWindowSeconds: number;
    };
    /** Deadlines, quorum and call settings of every run (bias controls are always on here). */
    method: Omit<CouncilMethod, 'biasControls'>;
    /** The operator's saved councils (SERVER_COUNCILS): every user sees them, none may change them. */
    serverCouncils: SavedCouncilView[];
  };
  /** Live `council.events` streams: per-user cap (per host), SSE ping and maximum duration. */
  streams: {
    maxPerUser: number;
    pingSeconds: number;
    maxDurationSeconds: number;
  };
  /** Housekeeping (CLEANUP_INTERVAL_MINUTES, DELTA_RETENTION_DAYS, AUDIT_RETENTION_DAYS); null turns each off. */
  cleanup: {
    intervalMinutes: number | null;
    /** Streamed deltas of runs finished longer ago than this are deleted; answers stay. */
    deltaRetentionDays: number | null;
    /** Security-log rows older than this are deleted. */
    auditRetentionDays: number | null;
  };
  /** The largest document `conversations.import` takes, in bytes (IMPORT_MAX_BYTES). */
  importMaxBytes: number;
  /** What one user may import and keep (IMPORTS_PER_HOUR, IMPORT_MB_PER_DAY, USER_STORAGE_MAX_MB). */
  imports: {
    /** Import attempts per user (refused and invalid ones included: each is parsed). */
    perHour: RateLimitRule;
    /** KiB of import documents per user, counted at each attempt's size. */
    kibPerDay: RateLimitRule;
    /** Text a user may store (messages, answers, reviews); an import past it is refused; null: no cap. */
    userStorageMaxBytes: number | null;
  };
  /** Attribution headers sent upstream (OpenRouter shows them in its dashboard). */
  appUrl: string;
  appTitle: string;
}

/**
 * The settings no environment variable changes, shared by the host's `loadConfig` and the tests'
 * configuration so that router tests run with the limits production has.
 */
export const fixedApiSettings = {
  refreshToken: { ttlSeconds: 7 * 24 * 3600, graceSeconds: 10, cookieName: 'llmc_refresh', cookiePath: '/trpc' },
  rateLimits: {
    loginFailuresPerAccount: { limit: 10, windowSeconds: 15 * 60 },
    loginPerIp: { limit: 100, windowSeconds: 15 * 60 },
    registerPerIp: { limit: 100, windowSeconds: 60 * 60 },
    refreshPerIp: { limit: 600, windowSeconds: 15 * 60 },
    logoutPerIp: { limit: 100, windowSeconds: 15 * 60 },
    councilRunsPerUser: { limit: 20, windowSeconds: 60 },
    saveApiKeyPerUser: { limit: 10, windowSeconds: 15 * 60 },
    changePasswordPerUser: { limit: 10, windowSeconds: 15 * 60 },
    changePasswordPerIp: { limit: 50, windowSeconds: 15 * 60 },
    badAccessTokensPerIp: { limit: 20, windowSeconds: 15 * 60 },
    // KaTeX runs on the event loop at up to ~7 µs a character: 100,000 characters is at most
    // ~0.7 s of one host's loop a minute per user, shared by every host. At least one full call
    // (MATHS_MAX_TOTAL_LENGTH, 50,000) must fit in a window, or such a call could never pass.
    mathsCharsPerUser: { limit: 100_000, windowSeconds: 60 },
    // A question carries at most 10 files, so 60 in 10 minutes is six full questions' worth (a
    // folder dragged in, then a few more) while a flood costs at most 60 PDF reads (each up to
    // 20 s in a worker, two at a time per process) per user per 10 minutes.
    uploadsPerUser: { limit: 60, windowSeconds: 10 * 60 },
  },
  providerRequests: { timeoutMs: 10_000, modelListTtlSeconds: 10 * 60, modelListRetrySeconds: 30 },
} as const satisfies Pick<ApiConfig, 'refreshToken' | 'rateLimits' | 'providerRequests'>;
