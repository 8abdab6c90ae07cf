import type { CouncilMethod } from '@llm-council/council';

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

export interface CouncilDefaults {
  models: string[];
  chairmanModel: string;
  titleModel: string | null;
}

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
    councilRunsPerUser: RateLimitRule;
  };
  providers: ProviderConfig[];
  council: CouncilDefaults & {
    maxConcurrentRunsPerUser: number;
    /** How often a running run proves it is alive. */
    heartbeatSeconds: number;
    /** A live run silent this long is taken for dead (its host crashed) and marked interrupted. */
    staleAfterSeconds: number;
    /** Deadlines, quorum and call settings of every run (bias controls are always on here). */
    method: Omit<CouncilMethod, 'biasControls'>;
  };
  /** Attribution headers sent upstream (OpenRouter shows them in its dashboard). */
  appUrl: string;
  appTitle: string;
}
