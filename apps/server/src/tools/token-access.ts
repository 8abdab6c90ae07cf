import {
  badTokenWait,
  countBadToken,
  describeError,
  isPersonalAccessToken,
  resolvePersonalAccessToken,
  type AppRouter,
  type TokenSession,
} from '@llm-council/api';
import { isConnectionError } from '@llm-council/db';
import { createTRPCClient, localLink, type TRPCClient } from '@trpc/client';
import { TRPCError } from '@trpc/server';
import type { Request } from 'express';
import { createTokenContext, describeClient, type ClientInfo, type ContextDeps } from '../create-context.js';

export type TokenCheck =
  | { ok: true; bearer: string; token: TokenSession }
  | {
      ok: false;
      status: 401 | 403 | 429 | 503;
      reason: 'invalid' | 'disabled' | 'rate_limited' | 'unavailable';
      message: string;
      retryAfterSeconds: number | null;
    };

/**
 * Checks the `Authorization: Bearer llmc_pat_…` of a request to an endpoint that only tokens may
 * use (MCP, the OpenAI-compatible API): no cookie, no password session. Said before any protocol
 * message is read, so a bad or revoked token is a plain HTTP 401. Bad tokens are counted per
 * address (`badAccessTokensPerIp`): past the limit the address gets 429 with Retry-After for every
 * request, before its token is looked at.
 */
export async function checkAccessToken(deps: ContextDeps, req: Request): Promise<TokenCheck> {
  const header = req.headers.authorization ?? '';
  const bearer = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
  const limits = { db: deps.db, now: deps.now ?? (() => new Date()) };
  const rule = deps.config.api.rateLimits.badAccessTokensPerIp;
  const address = describeClient(req).ip;
  try {
    const wait = await badTokenWait(limits, address, rule);
    if (wait !== null) return tooManyBadTokens(wait);
    const token = isPersonalAccessToken(bearer) ? await resolvePersonalAccessToken(limits, bearer) : undefined;
    if (token) return { ok: true, bearer, token };
    const over = await countBadToken(limits, address, rule);
    if (over !== null) return tooManyBadTokens(over);
    return {
      ok: false,
      status: 401,
      reason: 'invalid',
      message: isPersonalAccessToken(bearer)
        ? 'This access token is invalid, expired or revoked'
        : 'Send a personal access token (llmc_pat_…) as "Authorization: Bearer <token>"',
      retryAfterSeconds: null,
    };
  } catch (error) {
    if (error instanceof TRPCError && describeError(error).appCode === 'ACCOUNT_DISABLED') {
      return { ok: false, status: 403, reason: 'disabled', message: error.message, retryAfterSeconds: null };
    }
    if (isConnectionError(error)) {
      return {
        ok: false,
        status: 503,
        reason: 'unavailable',
        message: 'The service is briefly unavailable',
        retryAfterSeconds: null,
      };
    }
    throw error;
  }
}

function tooManyBadTokens(retryAfterSeconds: number): TokenCheck {
  return {
    ok: false,
    status: 429,
    reason: 'rate_limited',
    message: `Too many invalid access tokens from this address. Try again in ${retryAfterSeconds} seconds.`,
    retryAfterSeconds,
  };
}

/**
 * A typed client that calls the API's procedures in process for a token: the tools take the same
 * path as every other client (scopes, ownership, limits, budgets, the error formatter), without a
 * loopback HTTP hop. The token is checked again on every call.
 */
export function createTokenClient(
  deps: ContextDeps,
  router: AppRouter,
  client: ClientInfo,
  bearer: string,
): TRPCClient<AppRouter> {
  return createTRPCClient<AppRouter>({
    links: [localLink({ router, createContext: () => Promise.resolve(createTokenContext(deps, client, bearer)) })],
  });
}
