import { randomUUID } from 'node:crypto';
import { canonicalAddress, systemClock, type Clock, type Context, type Logger, type Services } from '@llm-council/api';
import type { CreateExpressContextOptions } from '@trpc/server/adapters/express';
import type { Request } from 'express';
import type { Kysely } from 'kysely';
import type { Database, DbHandle } from '@llm-council/db';
import type { ServerConfig } from './config.js';
import { isSameOrigin } from './http-guards.js';

export interface ContextDeps {
  db: Kysely<Database>;
  /** The open database, for readiness (engine, LISTEN connection). */
  dbHandle: DbHandle;
  /** True once a shutdown began: the host refuses new work. */
  isShuttingDown: () => boolean;
  config: ServerConfig;
  services: Services;
  logger: Logger;
  /** The clock procedures read (token lifetimes, grace windows, rate limits); tests move it forward. */
  now?: Clock;
}

/** Adapts one Express request/response to the API's HTTP-free context. */
export function createContextFactory(deps: ContextDeps) {
  const { refreshToken } = deps.config.api;
  const now = deps.now ?? systemClock;
  return ({ req, res }: Pick<CreateExpressContextOptions, 'req' | 'res'>): Context => {
    const requestId = (res.locals['requestId'] as string | undefined) ?? randomUUID();
    const authorization = req.headers.authorization;
    return {
      db: deps.db,
      config: deps.config.api,
      services: deps.services,
      logger: deps.logger,
      now,
      req: {
        ...describeClient(req),
        requestId,
        origin: req.headers.origin ?? null,
        isSameOrigin: isSameOrigin(req),
        accessToken: authorization?.startsWith('Bearer ') ? authorization.slice(7).trim() : null,
      },
      cookies: {
        get: (name) => (req.cookies as Record<string, string> | undefined)?.[name],
        set: (name, value, options) =>
          res.cookie(name, value, {
            httpOnly: true,
            secure: deps.config.api.isProduction,
            sameSite: 'strict',
            path: refreshToken.cookiePath,
            ...(options.maxAgeSeconds !== undefined ? { maxAge: options.maxAgeSeconds * 1000 } : {}),
          }),
        clear: (name) =>
          res.clearCookie(name, {
            httpOnly: true,
            secure: deps.config.api.isProduction,
            sameSite: 'strict',
            path: refreshToken.cookiePath,
          }),
      },
    };
  };
}

/** Who is calling, as the logs and the rate limits see it. */
export interface ClientInfo {
  ip: string;
  userAgent: string | null;
}

export function describeClient(req: Request): ClientInfo {
  return {
    ip: canonicalAddress(req.ip ?? req.socket.remoteAddress ?? 'unknown'),
    userAgent: req.headers['user-agent']?.slice(0, 300) ?? null,
  };
}

/** Tokens never use cookies: calls made for one outside /trpc get a jar that holds nothing. */
const noCookies: Context['cookies'] = { get: () => undefined, set: () => undefined, clear: () => undefined };

/**
 * The context of procedures called in process for a personal access token (the MCP endpoint and
 * the OpenAI-compatible endpoint): the token is checked again on every call, as over /trpc, so a
 * token revoked mid-session stops working at its next call. Never cookie-authenticated.
 */
export function createTokenContext(deps: ContextDeps, client: ClientInfo, accessToken: string): Context {
  return {
    db: deps.db,
    config: deps.config.api,
    services: deps.services,
    logger: deps.logger,
    now: deps.now ?? systemClock,
    req: { ...client, requestId: randomUUID(), origin: null, isSameOrigin: false, accessToken },
    cookies: noCookies,
  };
}
