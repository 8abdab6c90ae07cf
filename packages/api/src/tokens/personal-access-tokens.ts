import { createHash, randomBytes } from 'node:crypto';
import type { AccessTokenScope } from '@llm-council/db';
import { ACCESS_TOKEN_PREFIX, ACCESS_TOKENS_PER_USER } from '../constants.js';
import type { Context } from '../context.js';
import { endSessions, type SessionDeps } from '../auth/sessions.service.js';
import { accountDisabledError, appError } from '../errors.js';
import type { RateLimitRule } from '../config.js';
import { addressBucket } from '../shared/client-address.js';
import { hitRateLimit, peekRateLimit } from '../shared/rate-limit.repository.js';
import {
  countLiveTokens,
  findTokenByHash,
  insertToken,
  lockUserTokens,
  revokeToken,
  touchToken,
  type AccessTokenSummary,
} from './tokens.repository.js';

type Deps = Pick<Context, 'db' | 'now'>;

/** `llmc_pat_` + 32 random bytes in base64url: nothing to guess, and recognisable when leaked. */
const tokenPattern = /^llmc_pat_[A-Za-z0-9_-]{43}$/;
/** Characters of the random part kept as the visible prefix: enough to tell tokens apart, useless to guess with. */
const VISIBLE_RANDOM_CHARS = 6;
/** `last_used_at` is written at most this often per token, so a busy script does not write on every call. */
const LAST_USED_RESOLUTION_MS = 60_000;

export function isPersonalAccessToken(bearer: string): boolean {
  return bearer.startsWith(ACCESS_TOKEN_PREFIX);
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Creates a token and returns it in full, the only time it exists outside the caller's hands.
 * The cap is counted and the row inserted under a lock on the user, so parallel or batched
 * creates cannot overshoot it.
 */
export async function createPersonalAccessToken(
  ctx: Deps,
  userId: string,
  input: { name: string; scopes: AccessTokenScope[]; expiresInDays: number | null },
): Promise<{ token: string; summary: AccessTokenSummary }> {
  const token = ACCESS_TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const now = ctx.now();
  const expiresAt = input.expiresInDays ? new Date(now.getTime() + input.expiresInDays * 86_400_000) : null;
  const summary = await ctx.db.transaction().execute(async (trx) => {
    if (!(await lockUserTokens(trx, userId))) throw appError('UNAUTHORIZED', 'SESSION_EXPIRED', 'Please sign in again');
    if ((await countLiveTokens(trx, userId, now)) >= ACCESS_TOKENS_PER_USER) {
      throw appError(
        'FORBIDDEN',
        'ACCESS_TOKEN_LIMIT_REACHED',
        `You have ${ACCESS_TOKENS_PER_USER} access tokens already; revoke one to create another`,
      );
    }
    return insertToken(trx, {
      userId,
      name: input.name,
      prefix: token.slice(0, ACCESS_TOKEN_PREFIX.length + VISIBLE_RANDOM_CHARS),
      tokenHash: hashToken(token),
      scopes: [...new Set(input.scopes)],
      expiresAt,
      createdAt: now,
    });
  });
  return { token, summary };
}

/**
 * Revokes one of the user's tokens (false when there is none, another user's included) and ends
 * the event streams opened with it, on this host at once and on every other through the
 * session-end notification, sent only if the revocation commits.
 */
export async function revokePersonalAccessToken(deps: SessionDeps, userId: string, id: string): Promise<boolean> {
  let isRevoked = false;
  await endSessions(deps, { userId, tokenId: id }, async (trx) => {
    isRevoked = await revokeToken(trx, userId, id, deps.now());
  });
  return isRevoked;
}

export interface TokenSession {
  userId: string;
  email: string;
  tokenId: string;
  scopes: AccessTokenScope[];
  expiresAt: Date | null;
}

/**
 * Turns a bearer `llmc_pat_…` into who it acts for, or null when it is unknown, revoked, expired
 * or its user is gone (their tokens are deleted with them); a disabled user's token is ACCOUNT_DISABLED. The lookup is by SHA-256 of a 256-bit random value, so the comparison's
 * timing reveals nothing useful.
 */
export async function resolvePersonalAccessToken(ctx: Deps, bearer: string): Promise<TokenSession | null> {
  if (!tokenPattern.test(bearer)) return null;
  const row = await findTokenByHash(ctx.db, hashToken(bearer));
  const now = ctx.now();
  if (!row || row.revokedAt || (row.expiresAt && row.expiresAt <= now)) return null;
  // Told so, like a disabled user's session: a script's owner learns why it stopped rather than seeing a bare 401.
  if (row.disabledAt) throw accountDisabledError();
  const staleBefore = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
  if (!row.lastUsedAt || row.lastUsedAt < staleBefore) await touchToken(ctx.db, row.id, now, staleBefore);
  return { userId: row.userId, email: row.email, tokenId: row.id, scopes: row.scopes, expiresAt: row.expiresAt };
}

const badTokenKey = (address: string) => `bad-token:ip:${addressBucket(address)}`;

/**
 * Seconds an address must wait before the token-only endpoints (/mcp, /v1) look at its tokens
 * again, or null: once it sent `rule.limit` bad, revoked or expired tokens in the window, every
 * request from it is refused before its token is checked, a valid one too.
 */
export async function badTokenWait(deps: Deps, address: string, rule: RateLimitRule): Promise<number | null> {
  const result = await peekRateLimit(deps.db, badTokenKey(address), rule, deps.now());
  return result.allowed ? null : result.retryAfterSeconds;
}

/**
 * Counts a bad token from `address`; returns the wait when that went past the limit (the count is
 * one atomic upsert, so parallel bad tokens cannot all be answered as merely invalid).
 */
export async function countBadToken(deps: Deps, address: string, rule: RateLimitRule): Promise<number | null> {
  const result = await hitRateLimit(deps.db, badTokenKey(address), rule, deps.now());
  return result.allowed ? null : result.retryAfterSeconds;
}
