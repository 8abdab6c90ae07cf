import type { Context, SignedInUser } from '../context.js';
import { verifyAccessToken } from './access-token.js';
import { accountDisabledError } from '../errors.js';
import { findUserById } from './users.repository.js';

/**
 * Turns a bearer token into a session, or null. Beyond the signature this checks that the user
 * still exists (deleted users lose access at once) and that the token was issued after the
 * user's last password change.
 */
export async function resolveSession(
  ctx: Pick<Context, 'db' | 'config' | 'now'>,
  token: string,
): Promise<SignedInUser | null> {
  const claims = await verifyAccessToken(ctx.config.jwt, token, ctx.now());
  if (!claims || !isUuid(claims.userId)) return null;
  const user = await findUserById(ctx.db, claims.userId);
  if (!user) return null;
  // A disabled user is told so (not "sign in again"): a refresh would not help.
  if (user.disabledAt) throw accountDisabledError();
  // Compared in whole seconds, the precision of `iat`.
  if (user.tokensValidAfter && claims.issuedAt < Math.floor(user.tokensValidAfter.getTime() / 1000)) return null;
  return { userId: user.id, email: user.email };
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}
