import type { Context, SignedInUser } from '../context.js';
import { verifySessionToken } from './session-token.js';
import { accountDisabledError } from '../errors.js';
import { findUserOfLiveSession } from './sessions.repository.js';
import { findUserById } from './users.repository.js';

/**
 * Turns a bearer token into a session, or null. Beyond the signature, one query checks that the
 * user still exists (deleted users lose access at once), that the token's session was not
 * signed out and its epoch is current (logout everywhere, a password change), and the token was
 * issued after the user's last password change.
 */
export async function resolveSession(
  ctx: Pick<Context, 'db' | 'config' | 'now'>,
  token: string,
): Promise<SignedInUser | null> {
  const now = ctx.now();
  const claims = await verifySessionToken(ctx.config.jwt, token, now);
  if (!claims || !isUuid(claims.userId) || !isUuid(claims.sessionId)) return null;
  const user = await findUserOfLiveSession(ctx.db, { ...claims, now });
  // A disabled user is told so (not "sign in again": that would not help). Disabling ends the
  // sessions too, so the account is looked at again only when the session check failed.
  if (user?.disabledAt || (!user && (await findUserById(ctx.db, claims.userId))?.disabledAt)) {
    throw accountDisabledError();
  }
  if (!user) return null;
  // Compared in whole seconds, the precision of `iat`.
  if (user.tokensValidAfter && claims.issuedAt < Math.floor(user.tokensValidAfter.getTime() / 1000)) return null;
  return { userId: user.id, email: user.email, sessionId: claims.sessionId };
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}
