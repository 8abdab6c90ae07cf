import {
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
import { createTokenContext, type ClientInfo, type ContextDeps } from '../create-context.js';

export type TokenCheck =
  | { ok: true; bearer: string; token: TokenSession }
  | { ok: false; status: 401 | 403 | 503; reason: 'invalid' | 'disabled' | 'unavailable'; message: string };

/**
 * Checks the `Authorization: Bearer llmc_pat_…` of a request to an endpoint that only tokens may
 * use (MCP, the OpenAI-compatible API): no cookie, no password session. Said before any protocol
 * message is read, so a bad or revoked token is a plain HTTP 401.
 */
export async function checkAccessToken(deps: ContextDeps, req: Request): Promise<TokenCheck> {
  const header = req.headers.authorization ?? '';
  const bearer = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
  if (!isPersonalAccessToken(bearer)) {
    return {
      ok: false,
      status: 401,
      reason: 'invalid',
      message: 'Send a personal access token (llmc_pat_…) as "Authorization: Bearer <token>"',
    };
  }
  try {
    const token = await resolvePersonalAccessToken({ db: deps.db, now: deps.now ?? (() => new Date()) }, bearer);
    if (token) return { ok: true, bearer, token };
    return { ok: false, status: 401, reason: 'invalid', message: 'This access token is invalid, expired or revoked' };
  } catch (error) {
    if (error instanceof TRPCError && describeError(error).appCode === 'ACCOUNT_DISABLED') {
      return { ok: false, status: 403, reason: 'disabled', message: error.message };
    }
    if (isConnectionError(error)) {
      return { ok: false, status: 503, reason: 'unavailable', message: 'The service is briefly unavailable' };
    }
    throw error;
  }
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
