import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import {
  fixedApiSettings,
  type ApiConfig,
  type EncryptionKey,
  type ProviderConfig,
  type SigningKey,
  parseServerCouncils,
} from '@llm-council/api';
import {
  COUNCIL_MAX_MODELS,
  COUNCIL_MIN_MODELS,
  DEFAULT_PROVIDER_ID,
  registrationModes,
  serverKeyPolicies,
} from '@llm-council/api/constants';

/**
 * Configuration is parsed here, once, from the environment; nothing else reads `process.env`.
 * Every problem is reported at once, naming the variable.
 */

export interface ServerConfig {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  /** Where the embedded database runs: its own worker thread (default) or the event loop's (decision 0015). */
  pgliteThread: 'worker' | 'main';
  logLevel: string;
  /** Express `trust proxy`: false (trust none), a hop count, or trusted addresses/CIDRs. */
  trustProxy: false | number | string[];
  /**
   * In production with APP_URL set, the one `Host` a request may name (else 421); null: not
   * checked (development, or APP_URL unset — the server warns at start).
   */
  requiredHost: string | null;
  migrateOnStart: boolean;
  /** Where the built web client lives; served at `/` when present. */
  webDistDir: string;
  /** Identifies this process among hosts sharing one Postgres (run ownership, heartbeats). */
  hostId: string;
  /** How long a SIGTERM waits for runs to be recorded as interrupted and streams to close. */
  shutdownGraceSeconds: number;
  /** Server processes on this machine (WORKERS; `auto`: one per core); above 1 needs PostgreSQL. */
  workers: number;
  /** How long a query waits for a database connection before the request fails with 503. */
  dbConnectTimeoutMs: number;
  /** Request bodies above this are refused with 413 before tRPC parses them. */
  maxBodyBytes: number;
  api: ApiConfig;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const DEFAULT_COUNCIL = ['openai/gpt-5.1', 'google/gemini-3-pro-preview', 'anthropic/claude-sonnet-4.5', 'x-ai/grok-4'];
const DEFAULT_CHAIRMAN = 'google/gemini-3-pro-preview';

const csv = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  ALLOW_REMOTE_BIND: z.enum(['true', 'false']).default('false'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  PGLITE_THREAD: z.enum(['worker', 'main']).default('worker'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  JWT_SECRET: z.string().optional(),
  API_KEY_ENCRYPTION_KEY: z.string().optional(),
  OPENROUTER_API_KEY: z.string().min(1).optional(),
  OPENROUTER_BASE_URL: z.url('must be a URL').default('https://openrouter.ai/api/v1'),
  EXTRA_PROVIDERS: z.string().optional(),
  CORS_ORIGINS: z.string().optional(),
  TRUST_PROXY: z.string().optional(),
  MIGRATE_ON_START: z.enum(['true', 'false']).default('true'),
  COUNCIL_MODELS: z.string().optional(),
  SERVER_COUNCILS: z.string().optional(),
  CHAIRMAN_MODEL: z.string().min(1).default(DEFAULT_CHAIRMAN),
  TITLE_MODEL: z.string().optional(),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(5).max(86400).default(3600),
  MAX_CONCURRENT_RUNS_PER_USER: z.coerce.number().int().min(1).max(100).default(3),
  PASSWORD_HASH_QUEUE_MAX: z.coerce.number().int().min(1).max(10_000).default(32),
  // argon2's cost; `insecure-test` (about 1 ms a hash) exists for test suites and is refused in production.
  PASSWORD_HASH_PROFILE: z.enum(['standard', 'insecure-test']).default('standard'),
  RUN_HEARTBEAT_SECONDS: z.coerce.number().int().min(1).max(300).default(5),
  DELTA_INTERVAL_MS: z.coerce.number().int().min(10).max(2_000).default(100),
  MAX_DELTA_INTERVAL_MS: z.coerce.number().int().min(10).max(5_000).default(500),
  EVENT_WRITE_RETRY_SECONDS: z.coerce.number().int().min(0).max(600).default(30),
  SHUTDOWN_GRACE_SECONDS: z.coerce.number().int().min(1).max(600).default(10),
  // Server processes sharing the port, each a full host of the multi-host design (PostgreSQL only).
  WORKERS: z
    .union([z.literal('auto'), z.coerce.number().int().min(1).max(256)], {
      error: 'must be a number of processes from 1 to 256, or auto (one per core)',
    })
    .default(1),
  // Live council.events streams: per user (per host), ping interval, longest life before a reconnect.
  // One model answer, in characters (about 50,000 tokens by default); longer fails UPSTREAM_TOO_LONG.
  UPSTREAM_MAX_ANSWER_CHARS: z.coerce.number().int().min(1_000).max(10_000_000).default(200_000),
  MAX_STREAMS_PER_USER: z.coerce.number().int().min(1).max(1_000).default(20),
  STREAM_PING_SECONDS: z.coerce.number().int().min(1).max(300).default(15),
  STREAM_MAX_DURATION_SECONDS: z.coerce.number().int().min(1).max(86_400).default(1_800),
  // Housekeeping: how often (0: never) and how long streamed deltas of finished runs are kept (0: forever).
  CLEANUP_INTERVAL_MINUTES: z.coerce.number().int().min(0).max(10_080).default(60),
  DELTA_RETENTION_DAYS: z.coerce.number().int().min(0).max(36_500).default(30),
  // Security-log rows are deleted after this many days (0: kept forever).
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(0).max(36_500).default(365),
  DB_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  // Council method: stage deadlines (seconds), quorum share, review temperature, token limits.
  COUNCIL_SOFT_DEADLINE_SECONDS: z.coerce.number().min(1).max(3600).default(90),
  COUNCIL_HARD_DEADLINE_SECONDS: z.coerce.number().min(1).max(3600).default(300),
  COUNCIL_QUORUM: z.coerce.number().gt(0).max(1).default(0.5),
  COUNCIL_REVIEW_TEMPERATURE: z.coerce.number().min(0).max(2).default(0),
  COUNCIL_MAX_TOKENS_STAGE1: z.coerce.number().int().min(1).optional(),
  COUNCIL_MAX_TOKENS_STAGE2: z.coerce.number().int().min(1).default(4000),
  COUNCIL_MAX_TOKENS_STAGE3: z.coerce.number().int().min(1).optional(),
  COUNCIL_CHAIRMAN_SEES_MODEL_NAMES: z.enum(['true', 'false']).default('true'),
  APP_URL: z.url().optional(),
  // The largest conversations.import document: 20 MiB by default, 1 KiB to 200 MiB.
  IMPORT_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(200 * 1024 * 1024)
    .default(20 * 1024 * 1024),
  // Per user: import attempts an hour, MB of import documents a day, MB of stored text ('unlimited').
  IMPORTS_PER_HOUR: z.coerce.number().int().min(1).max(100_000).default(20),
  IMPORT_MB_PER_DAY: z.coerce.number().int().min(1).max(1_000_000).default(200),
  USER_STORAGE_MAX_MB: z.union([z.literal('unlimited'), z.coerce.number().int().min(1).max(1_000_000)]).default(1024),
  WEB_DIST_DIR: z.string().optional(),
  // Operator controls: who signs up, who may spend the fallback key and how much (docs/operating.md).
  REGISTRATION: z.enum(registrationModes).optional(),
  INVITE_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(7),
  SERVER_KEY_USERS: z.enum(serverKeyPolicies).default('admins'),
  SERVER_KEY_MAX_TOKENS: z.coerce.number().int().min(1).max(200_000).default(4000),
  SERVER_KEY_DAILY_TOKENS: z.union([z.literal('unlimited'), z.coerce.number().int().min(0)]).default(200_000),
  SERVER_KEY_DAILY_USD: z.union([z.literal('unlimited'), z.coerce.number().min(0)]).default('unlimited'),
});

type Env = Record<string, string | undefined>;

/** Parses and validates the environment. In development, missing secrets are generated into DATA_DIR. */
export function loadConfig(env: Env, options: { onNotice?: (message: string) => void } = {}): ServerConfig {
  const parsed = envSchema.safeParse(stripEmpty(env));
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];
  const isProduction = e.NODE_ENV === 'production';
  const dataDir = resolve(e.DATA_DIR);

  let jwtSecret = e.JWT_SECRET;
  let encryptionKey = e.API_KEY_ENCRYPTION_KEY;
  if (!isProduction && (!jwtSecret || !encryptionKey)) {
    const generated = loadOrCreateDevSecrets(dataDir, options.onNotice);
    jwtSecret ??= generated.jwtSecret;
    encryptionKey ??= generated.encryptionKey;
  }
  const jwtKeys = parseSigningKeys(jwtSecret, problems);
  const encryptionKeys = parseEncryptionKeys(encryptionKey, problems);

  const providers: ProviderConfig[] = [
    {
      id: DEFAULT_PROVIDER_ID,
      label: 'OpenRouter',
      baseUrl: e.OPENROUTER_BASE_URL.replace(/\/+$/, ''),
      fallbackApiKey: e.OPENROUTER_API_KEY ?? null,
      hasKeyEndpoint: true,
    },
    ...parseExtraProviders(e.EXTRA_PROVIDERS, problems),
  ];

  const models = e.COUNCIL_MODELS ? csv(e.COUNCIL_MODELS) : DEFAULT_COUNCIL;
  const serverCouncils = parseServerCouncils(e.SERVER_COUNCILS);
  problems.push(...serverCouncils.problems);
  if (models.length < COUNCIL_MIN_MODELS || models.length > COUNCIL_MAX_MODELS)
    problems.push(`COUNCIL_MODELS: list ${COUNCIL_MIN_MODELS} to ${COUNCIL_MAX_MODELS} model ids, comma-separated`);
  if (e.COUNCIL_SOFT_DEADLINE_SECONDS > e.COUNCIL_HARD_DEADLINE_SECONDS) {
    problems.push('COUNCIL_SOFT_DEADLINE_SECONDS: must not exceed COUNCIL_HARD_DEADLINE_SECONDS');
  }
  if (e.MAX_DELTA_INTERVAL_MS < e.DELTA_INTERVAL_MS) {
    problems.push('MAX_DELTA_INTERVAL_MS: must not be below DELTA_INTERVAL_MS');
  }

  if (isProduction && e.PASSWORD_HASH_PROFILE !== 'standard') {
    problems.push('PASSWORD_HASH_PROFILE: insecure-test makes passwords cheap to guess; production needs standard');
  }

  const workers = e.WORKERS === 'auto' ? availableParallelism() : e.WORKERS;
  if (workers > 1 && !e.DATABASE_URL) {
    problems.push(
      `WORKERS: ${workers} processes need PostgreSQL (DATABASE_URL); the embedded database (PGlite) belongs to one process, so unset WORKERS or set DATABASE_URL`,
    );
  }

  const trustProxy = parseTrustProxy(e.TRUST_PROXY, problems);
  // A development server (generated secrets, open sign-up) must not be reachable from the network by accident.
  if (!isProduction && !isLoopbackHost(e.HOST) && e.ALLOW_REMOTE_BIND !== 'true') {
    problems.push(
      `HOST: "${e.HOST}" exposes a ${e.NODE_ENV} server (generated secrets, open sign-up) to the network; bind 127.0.0.1, set NODE_ENV=production, or set ALLOW_REMOTE_BIND=true if you mean it`,
    );
  }

  if (problems.length > 0) throw new ConfigError(problems);

  const port = e.PORT;
  const corsOrigins = e.CORS_ORIGINS
    ? csv(e.CORS_ORIGINS)
    : isProduction
      ? []
      : [`http://localhost:${port}`, `http://127.0.0.1:${port}`, 'http://localhost:5173', 'http://127.0.0.1:5173'];

  return Object.freeze({
    nodeEnv: e.NODE_ENV,
    port,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir,
    pgliteThread: e.PGLITE_THREAD,
    logLevel: e.LOG_LEVEL,
    trustProxy,
    requiredHost: isProduction && e.APP_URL ? new URL(e.APP_URL).host : null,
    migrateOnStart: e.MIGRATE_ON_START === 'true',
    webDistDir: resolve(e.WEB_DIST_DIR ?? join(import.meta.dirname, '../../web/dist')),
    hostId: `${process.pid}-${randomBytes(4).toString('hex')}`,
    shutdownGraceSeconds: e.SHUTDOWN_GRACE_SECONDS,
    workers,
    dbConnectTimeoutMs: e.DB_CONNECT_TIMEOUT_MS,
    maxBodyBytes: 512 * 1024,
    api: {
      isProduction,
      jwt: {
        keys: jwtKeys,
        issuer: 'llm-council',
        audience: 'llm-council',
        accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
        clockToleranceSeconds: 5,
      },
      ...fixedApiSettings,
      encryptionKeys,
      corsOrigins,
      passwordHashQueueMax: e.PASSWORD_HASH_QUEUE_MAX,
      passwordHashProfile: e.PASSWORD_HASH_PROFILE,
      providers,
      council: {
        models,
        chairmanModel: e.CHAIRMAN_MODEL,
        titleModel: e.TITLE_MODEL ?? null,
        maxConcurrentRunsPerUser: e.MAX_CONCURRENT_RUNS_PER_USER,
        maxAnswerChars: e.UPSTREAM_MAX_ANSWER_CHARS,
        serverCouncils: serverCouncils.councils,
        heartbeatSeconds: e.RUN_HEARTBEAT_SECONDS,
        staleAfterSeconds: e.RUN_HEARTBEAT_SECONDS * 4,
        events: {
          deltaIntervalMs: e.DELTA_INTERVAL_MS,
          maxDeltaIntervalMs: e.MAX_DELTA_INTERVAL_MS,
          writeRetryWindowSeconds: e.EVENT_WRITE_RETRY_SECONDS,
        },
        method: {
          softDeadlineMs: e.COUNCIL_SOFT_DEADLINE_SECONDS * 1000,
          hardDeadlineMs: e.COUNCIL_HARD_DEADLINE_SECONDS * 1000,
          quorumRatio: e.COUNCIL_QUORUM,
          reviewTemperature: e.COUNCIL_REVIEW_TEMPERATURE,
          maxTokens: {
            stage1: e.COUNCIL_MAX_TOKENS_STAGE1 ?? null,
            stage2: e.COUNCIL_MAX_TOKENS_STAGE2,
            stage3: e.COUNCIL_MAX_TOKENS_STAGE3 ?? null,
          },
          hideModelNamesFromChairman: e.COUNCIL_CHAIRMAN_SEES_MODEL_NAMES === 'false',
        },
      },
      operator: {
        registration: e.REGISTRATION ?? (isProduction ? 'invite' : 'open'),
        inviteTtlDays: e.INVITE_TTL_DAYS,
        serverKey: {
          users: e.SERVER_KEY_USERS,
          maxTokensPerCall: e.SERVER_KEY_MAX_TOKENS,
          dailyTokens: e.SERVER_KEY_DAILY_TOKENS === 'unlimited' ? null : e.SERVER_KEY_DAILY_TOKENS,
          dailyUsd: e.SERVER_KEY_DAILY_USD === 'unlimited' ? null : e.SERVER_KEY_DAILY_USD,
        },
      },
      streams: {
        maxPerUser: e.MAX_STREAMS_PER_USER,
        pingSeconds: e.STREAM_PING_SECONDS,
        maxDurationSeconds: e.STREAM_MAX_DURATION_SECONDS,
      },
      cleanup: {
        intervalMinutes: e.CLEANUP_INTERVAL_MINUTES === 0 ? null : e.CLEANUP_INTERVAL_MINUTES,
        deltaRetentionDays: e.DELTA_RETENTION_DAYS === 0 ? null : e.DELTA_RETENTION_DAYS,
        auditRetentionDays: e.AUDIT_RETENTION_DAYS === 0 ? null : e.AUDIT_RETENTION_DAYS,
      },
      appUrl: e.APP_URL ?? `http://localhost:${port}`,
      importMaxBytes: e.IMPORT_MAX_BYTES,
      imports: {
        perHour: { limit: e.IMPORTS_PER_HOUR, windowSeconds: 3600 },
        kibPerDay: { limit: e.IMPORT_MB_PER_DAY * 1024, windowSeconds: 86_400 },
        userStorageMaxBytes: e.USER_STORAGE_MAX_MB === 'unlimited' ? null : e.USER_STORAGE_MAX_MB * 1024 * 1024,
      },
      appTitle: 'LLM Council',
    },
  } satisfies ServerConfig);
}

/** Treats `VAR=` like an unset variable, as shells and .env files commonly produce it. */
function stripEmpty(env: Env): Env {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
}

const KID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

/** `secret` or `kid:secret,kid:secret` (the first signs). Each secret must be ≥ 32 bytes. */
function parseSigningKeys(value: string | undefined, problems: string[]): SigningKey[] {
  if (!value) {
    problems.push('JWT_SECRET: required in production (32+ random bytes, e.g. `openssl rand -base64 48`)');
    return [];
  }
  const keys = parseKeyList(value).map(({ kid, material }) => ({ kid, secret: new TextEncoder().encode(material) }));
  for (const key of keys) {
    if (key.secret.length < 32) problems.push(`JWT_SECRET: secret "${key.kid}" is shorter than 32 bytes`);
    else if (new Set(key.secret).size < 8)
      problems.push(`JWT_SECRET: secret "${key.kid}" is too repetitive to be random`);
  }
  return keys;
}

/** `base64key` or `kid:base64key,…` (the first encrypts). Each key must decode to 32 bytes. */
function parseEncryptionKeys(value: string | undefined, problems: string[]): EncryptionKey[] {
  if (!value) {
    problems.push(
      'API_KEY_ENCRYPTION_KEY: required in production (32 random bytes, base64: `openssl rand -base64 32`)',
    );
    return [];
  }
  return parseKeyList(value).flatMap(({ kid, material }) => {
    const key = Buffer.from(material, 'base64');
    if (key.length !== 32) {
      problems.push(`API_KEY_ENCRYPTION_KEY: key "${kid}" must be 32 bytes, base64-encoded (got ${key.length} bytes)`);
      return [];
    }
    return [{ kid, key }];
  });
}

function parseKeyList(value: string): { kid: string; material: string }[] {
  const entries = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const isList = entries.every((entry) => {
    const colon = entry.indexOf(':');
    return colon > 0 && KID_PATTERN.test(entry.slice(0, colon));
  });
  if (!isList) return [{ kid: 'k1', material: value.trim() }];
  return entries.map((entry) => {
    const colon = entry.indexOf(':');
    return { kid: entry.slice(0, colon), material: entry.slice(colon + 1) };
  });
}

/** `id=baseUrl[,id=baseUrl]`, e.g. `ollama=http://127.0.0.1:11434/v1`. Such providers have no /key endpoint. */
function parseExtraProviders(value: string | undefined, problems: string[]): ProviderConfig[] {
  return csv(value).flatMap((entry) => {
    const match = /^([a-z0-9][a-z0-9._-]*)=(https?:\/\/.+)$/.exec(entry);
    if (!match?.[1] || !match[2]) {
      problems.push(`EXTRA_PROVIDERS: "${entry}" is not of the form id=http://host:port/v1`);
      return [];
    }
    return [
      {
        id: match[1],
        label: match[1],
        baseUrl: match[2].replace(/\/+$/, ''),
        fallbackApiKey: null,
        hasKeyEndpoint: false,
      },
    ];
  });
}

function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host === '::1' || host === '[::1]') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

/** Express's named ranges, kept for operators who wrote them; anything else is an address or CIDR. */
const NAMED_PROXY_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * `TRUST_PROXY`, which decides what the per-address rate limits count: unset or `false` trusts no proxy; a number is how many proxies stand in
 * front of the server (X-Forwarded-For is read that many hops from the right); else a comma list
 * of proxy addresses or CIDRs. `true` would take the left-most X-Forwarded-For entry, which any
 * client writes itself, so it is refused.
 */
function parseTrustProxy(value: string | undefined, problems: string[]): false | number | string[] {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') {
    problems.push(
      'TRUST_PROXY: `true` would let any client choose its own address; give the number of proxies in front of the server (e.g. 1) or their addresses/CIDRs (e.g. 10.0.0.0/8,127.0.0.1)',
    );
    return false;
  }
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > 10) problems.push('TRUST_PROXY: a hop count above 10 is surely a mistake');
    return hops;
  }
  const entries = csv(value);
  for (const entry of entries) {
    if (!NAMED_PROXY_RANGES.has(entry) && !isAddressOrCidr(entry)) {
      problems.push(`TRUST_PROXY: "${entry}" is neither a hop count nor an IP address or CIDR (e.g. 10.0.0.0/8)`);
    }
  }
  return entries;
}

function isAddressOrCidr(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** Development convenience: secrets generated on first start, kept in DATA_DIR with mode 0600. */
function loadOrCreateDevSecrets(dataDir: string, onNotice?: (message: string) => void) {
  const path = join(dataDir, 'dev-secrets.json');
  if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as { jwtSecret: string; encryptionKey: string };
  mkdirSync(dataDir, { recursive: true });
  const secrets = { jwtSecret: randomBytes(48).toString('base64'), encryptionKey: randomBytes(32).toString('base64') };
  writeFileSync(path, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  chmodSync(path, 0o600);
  onNotice?.(`Generated development secrets in ${path} (set JWT_SECRET and API_KEY_ENCRYPTION_KEY in production).`);
  return secrets;
}
