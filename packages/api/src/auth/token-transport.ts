import type { Context } from '../context.js';
import { appError } from '../errors.js';
import { deviceOf, recordRefusal } from '../audit/audit.js';
import type { Transport } from './auth.schemas.js';
import type { SignedIn } from './auth.service.js';
import { hashRefreshToken, type IssuedRefreshToken } from './refresh-token.service.js';
import { findRefreshTokenByHash } from './refresh-tokens.repository.js';

/**
 * What every sign-in answers (register, login, refresh, a password change): the user, a fresh
 * session token and — only with `transport: 'body'` — the refresh token; browsers get a cookie.
 */
export function signedInResult(ctx: Context, transport: Transport, signedIn: SignedIn) {
  return {
    user: { id: signedIn.user.id, email: signedIn.user.email, createdAt: signedIn.user.createdAt.toISOString() },
    accessToken: signedIn.accessToken,
    accessTokenExpiresAt: signedIn.accessTokenExpiresAt.toISOString(),
    refreshToken: deliverRefreshToken(ctx, transport, signedIn.refresh),
  };
}

/**
 * Hands the refresh token to the client the way it asked: as an HttpOnly cookie (the body then
 * carries null) or in the body (no cookie). One response never carries both.
 */
export function deliverRefreshToken(ctx: Context, transport: Transport, issued: IssuedRefreshToken): string | null {
  if (transport === 'body') return issued.token;
  const maxAgeSeconds = Math.max(0, Math.floor((issued.expiresAt.getTime() - ctx.now().getTime()) / 1000));
  ctx.cookies.set(ctx.config.refreshToken.cookieName, issued.token, { maxAgeSeconds });
  return null;
}

/**
 * Reads the presented refresh token. In cookie mode the request must come from our own origin
 * or an allowed one: the cookie is sent automatically, so this is the CSRF check.
 */
export async function readRefreshToken(
  ctx: Context,
  transport: Transport,
  bodyToken: string | undefined,
): Promise<string | undefined> {
  if (transport === 'body') return bodyToken;
  const cookie = ctx.cookies.get(ctx.config.refreshToken.cookieName);
  if (!isTrustedOrigin(ctx)) {
    // The cookie names the session a foreign page tried to use: its owner sees the attempt.
    const session = cookie ? await findRefreshTokenByHash(ctx.db, hashRefreshToken(cookie)) : undefined;
    await recordRefusal(ctx, {
      userId: session?.userId ?? null,
      event: 'origin_rejected',
      ...deviceOf(ctx.req),
      detail: { origin: ctx.req.origin?.slice(0, 200) ?? null },
    });
    throw appError('FORBIDDEN', 'CSRF_REJECTED', 'This request did not come from an allowed origin');
  }
  return cookie;
}

export function clearRefreshCookie(ctx: Context): void {
  ctx.cookies.clear(ctx.config.refreshToken.cookieName);
}

function isTrustedOrigin(ctx: Context): boolean {
  const { origin, isSameOrigin } = ctx.req;
  return isSameOrigin || (origin !== null && ctx.config.corsOrigins.includes(origin));
}
