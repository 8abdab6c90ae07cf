import type { Kysely } from 'kysely';
import type { Database } from '@llm-council/db';
import type { ApiConfig } from './config.js';
import type { Services } from './create-services.js';
import type { Clock, Logger } from './ports.js';

/** What the HTTP host tells the API about the request; tests build it by hand. */
export interface RequestInfo {
  requestId: string;
  ip: string;
  userAgent: string | null;
  /** The `Origin` header, if any. */
  origin: string | null;
  /** True when `Origin` names the host that received the request (same-origin web client). */
  isSameOrigin: boolean;
  /** The bearer token of the `Authorization` header, if any. */
  accessToken: string | null;
}

export interface CookieOptions {
  maxAgeSeconds?: number;
}

/** Cookie access without HTTP types: the host adapts its request/response to this. */
export interface CookieJar {
  get(name: string): string | undefined;
  set(name: string, value: string, options: CookieOptions): void;
  clear(name: string): void;
}

/** The tRPC context: data only, assembled by the host per request (and by tests alike). */
export interface Context {
  db: Kysely<Database>;
  config: ApiConfig;
  services: Services;
  req: RequestInfo;
  cookies: CookieJar;
  logger: Logger;
  now: Clock;
}

/** Who a protected procedure runs for: the user its credential names (`ctx.session`). */
export interface SignedInUser {
  userId: string;
  email: string;
  /** The session (refresh family) the session token belongs to; null for credentials without one. */
  sessionId: string | null;
  /** Set when a personal access token signed the call: which one, and when it expires (null: never). */
  personalToken?: { id: string; expiresAt: Date | null };
}
