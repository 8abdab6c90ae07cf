import type { Context } from '../context.js';
import { appError } from '../errors.js';
import type { Transport } from './auth.schemas.js';
import type { IssuedRefreshToken } from './refresh-token.service.js';

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
export function readRefreshToken(
  ctx: Context,
  transport: Transport,
  bodyToken: string | undefined,
): string | undefined {
  if (transport === 'body') return bodyToken;
  assertTrustedOrigin(ctx);
  return ctx.cookies.get(ctx.config.refreshToken.cookieName);
}

export function clearRefreshCookie(ctx: Context): void {
  ctx.cookies.clear(ctx.config.refreshToken.cookieName);
}

function assertTrustedOrigin(ctx: Context): void {
  const { origin, isSameOrigin } = ctx.req;
  if (isSameOrigin) return;
  if (origin && ctx.config.corsOrigins.includes(origin)) return;
  throw appError('FORBIDDEN', 'CSRF_REJECTED', 'This request did not come from an allowed origin');
}
