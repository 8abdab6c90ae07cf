import { addressBucket } from '../shared/client-address.js';
import type { Context, RequestInfo } from '../context.js';
import { accountDisabledError, appError } from '../errors.js';
import { deviceOf, recordAudit } from '../audit/audit.js';
import { assertRegistrationAllowed, createAccount } from './registration.service.js';
import { enforceRateLimit, rateLimitedError } from '../shared/rate-limit.js';
import { clearRateLimit, hitRateLimit } from '../shared/rate-limit.repository.js';
import { signSessionToken } from './session-token.js';
import { burnPasswordCheck, findPasswordWeakness, hashPassword, needsRehash, verifyPassword } from './passwords.js';
import { rotateRefreshToken, startRefreshFamily, type IssuedRefreshToken } from './refresh-token.service.js';
import { bumpSessionEpoch, revokeTokensOfUser } from './sessions.repository.js';
import { endSessions, type SessionDeps } from './sessions.service.js';
import {
  findPasswordHash,
  findUserByEmail,
  findUserById,
  updatePasswordHash,
  type PublicUser,
} from './users.repository.js';

export interface SignedIn {
  user: PublicUser;
  accessToken: string;
  accessTokenExpiresAt: Date;
  refresh: IssuedRefreshToken;
}

/** What the sign-in flows use: the database, the configuration, the logger and the clock. */
type AuthDeps = Pick<Context, 'db' | 'config' | 'logger' | 'now'> & Pick<SessionDeps, 'services'>;

/** Who is asking: rate limits count per address, and a session remembers its device. */
type Requester = Pick<RequestInfo, 'ip' | 'userAgent'>;

const INVALID_CREDENTIALS_MESSAGE = 'Email or password is incorrect';

export async function register(
  ctx: AuthDeps,
  requester: Requester,
  input: { email: string; password: string; inviteCode?: string | undefined },
): Promise<SignedIn> {
  await enforceRateLimit(ctx, `register:ip:${addressBucket(requester.ip)}`, ctx.config.rateLimits.registerPerIp);
  await assertRegistrationAllowed(ctx, input);
  const weakness = findPasswordWeakness(input.password);
  if (weakness) throw appError('BAD_REQUEST', 'WEAK_PASSWORD', weakness);
  const passwordHash = await hashPassword(input.password);
  const { user, isAdmin, inviteId } = await createAccount(ctx, { ...input, passwordHash });
  ctx.logger.info({ userId: user.id, isAdmin, inviteId }, 'user registered');
  if (inviteId)
    await recordAudit(ctx, { userId: user.id, event: 'invite_used', ...deviceOf(requester), detail: { inviteId } });
  await recordAudit(ctx, { userId: user.id, event: 'sign_in', ...deviceOf(requester), detail: { via: 'register' } });
  return signIn(ctx, requester, user);
}

/**
 * Unknown email and wrong password look the same from outside: same error, and a dummy hash
 * verification so the timing matches too. Failures count per account, so a spoofed client IP
 * cannot reset the counter.
 */
export async function login(
  ctx: AuthDeps,
  requester: Requester,
  input: { email: string; password: string },
): Promise<SignedIn> {
  await enforceRateLimit(ctx, `login:ip:${addressBucket(requester.ip)}`, ctx.config.rateLimits.loginPerIp);
  const failureKey = `login-failures:${input.email}`;
  const failureRule = ctx.config.rateLimits.loginFailuresPerAccount;
  // Counted before the password is checked, in one atomic upsert: thirty parallel (or batched)
  // guesses take thirty numbers, and only the first ten get as far as argon2. Success clears it.
  const attempt = await hitRateLimit(ctx.db, failureKey, failureRule, ctx.now());
  if (!attempt.allowed) {
    // Logged once per window, at the first refused attempt, not for every guess that follows.
    if (attempt.count === failureRule.limit + 1) {
      const lockedOut = await findUserByEmail(ctx.db, input.email);
      await recordAudit(ctx, {
        userId: lockedOut?.id ?? null,
        event: 'lockout',
        ...deviceOf(requester),
        detail: { failures: failureRule.limit, retryAfterSeconds: attempt.retryAfterSeconds },
      });
    }
    throw rateLimitedError(attempt.retryAfterSeconds);
  }

  const found = await findUserByEmail(ctx.db, input.email);
  const isValid = found
    ? await verifyPassword(found.passwordHash, input.password)
    : await burnPasswordCheck(input.password).then(() => false);
  if (!found || !isValid) {
    // An unknown account is logged without its email: only that the attempt happened, and where from.
    await recordAudit(ctx, {
      userId: found?.id ?? null,
      event: 'sign_in_failed',
      ...deviceOf(requester),
      detail: { reason: found ? 'wrong_password' : 'unknown_account' },
    });
    throw appError('UNAUTHORIZED', 'INVALID_CREDENTIALS', INVALID_CREDENTIALS_MESSAGE);
  }
  await clearRateLimit(ctx.db, failureKey);
  if (found.disabledAt) {
    await recordAudit(ctx, {
      userId: found.id,
      event: 'sign_in_failed',
      ...deviceOf(requester),
      detail: { reason: 'account_disabled' },
    });
    throw accountDisabledError();
  }
  if (needsRehash(found.passwordHash)) {
    await updatePasswordHash(ctx.db, found.id, await hashPassword(input.password), { now: ctx.now() });
  }
  const { id, email, createdAt, tokensValidAfter } = found;
  await recordAudit(ctx, { userId: id, event: 'sign_in', ...deviceOf(requester) });
  return signIn(ctx, requester, { id, email, createdAt }, issueTimeFor(ctx.now(), tokensValidAfter));
}

/**
 * Changes the password, ends every other session (refresh families revoked, the session epoch
 * moved on so older access tokens and racing refreshes are refused) and signs the caller in
 * afresh. The caller's open streams (`sessionId`, this device) are left running. Personal access
 * tokens are revoked with the sessions unless `keepAccessTokens`: whoever stole the old password
 * or a session may have minted one.
 */
export async function changePassword(
  ctx: AuthDeps,
  requester: Requester,
  session: { userId: string; sessionId: string | null },
  input: { currentPassword: string; newPassword: string; keepAccessTokens: boolean },
): Promise<SignedIn> {
  const { userId } = session;
  await confirmPassword(ctx, requester, userId, input.currentPassword);
  const weakness = findPasswordWeakness(input.newPassword);
  if (weakness) throw appError('BAD_REQUEST', 'WEAK_PASSWORD', weakness);
  // Access tokens carry whole-second `iat`s: every token issued up to this second becomes
  // invalid, and the caller's new one is dated at the next second.
  const cutoff = new Date((Math.floor(ctx.now().getTime() / 1000) + 1) * 1000);
  const newHash = await hashPassword(input.newPassword);
  const withAccessTokens = !input.keepAccessTokens;
  const end = session.sessionId
    ? { userId, exceptSessionId: session.sessionId, withAccessTokens }
    : { userId, withAccessTokens };
  let accessTokensRevoked = 0;
  // The new hash, the epoch and the revocations commit together: no refresh in between survives.
  await endSessions(ctx, end, async (trx) => {
    await updatePasswordHash(trx, userId, newHash, { now: ctx.now(), invalidateTokensAt: cutoff });
    await bumpSessionEpoch(trx, userId, ctx.now());
    if (withAccessTokens) accessTokensRevoked = await revokeTokensOfUser(trx, userId, ctx.now());
  });
  const detail = { accessTokensRevoked };
  await recordAudit(ctx, { userId, event: 'password_changed', ...deviceOf(requester), detail });
  const user = await findUserById(ctx.db, userId);
  if (!user) throw appError('UNAUTHORIZED', 'SESSION_EXPIRED', 'Please sign in again');
  return signIn(ctx, requester, { id: user.id, email: user.email, createdAt: user.createdAt }, cutoff);
}

/**
 * Checks the signed-in user's password before an account change (password change, account
 * deletion). Counted before argon2 runs, per account (a stolen session token cannot guess on
 * without bound) and per address, like sign-in: thirty batched guesses reach argon2 ten times.
 * Every such check shares these two counters, so guesses spread over procedures share one budget.
 */
export async function confirmPassword(
  ctx: AuthDeps,
  requester: Requester,
  userId: string,
  password: string,
): Promise<void> {
  await enforceRateLimit(ctx, `change-password:user:${userId}`, ctx.config.rateLimits.changePasswordPerUser);
  await enforceRateLimit(
    ctx,
    `change-password:ip:${addressBucket(requester.ip)}`,
    ctx.config.rateLimits.changePasswordPerIp,
  );
  const hash = await findPasswordHash(ctx.db, userId);
  if (!hash || !(await verifyPassword(hash, password))) {
    throw appError('UNAUTHORIZED', 'INVALID_CREDENTIALS', 'Current password is incorrect');
  }
}

/** Exchanges a refresh token for a new session token and the token's successor. */
export async function refreshSession(ctx: AuthDeps, requester: Requester, presentedToken: string): Promise<SignedIn> {
  const refresh = await rotateRefreshToken(ctx, presentedToken, requester);
  const user = await findUserById(ctx.db, refresh.userId);
  if (!user) throw appError('UNAUTHORIZED', 'SESSION_EXPIRED', 'Please sign in again');
  if (user.disabledAt) throw accountDisabledError();
  const access = await signSessionToken(
    ctx.config.jwt,
    { userId: user.id, sessionId: refresh.familyId, epoch: refresh.epoch },
    issueTimeFor(ctx.now(), user.tokensValidAfter),
  );
  return {
    user: { id: user.id, email: user.email, createdAt: user.createdAt },
    accessToken: access.token,
    accessTokenExpiresAt: access.expiresAt,
    refresh,
  };
}

/**
 * A password change rejects every session token whose whole-second `iat` is before its cutoff (the
 * next second). A sign-in or refresh that lands before that second has begun is dated at the
 * cutoff, or its brand-new token would be refused at once.
 */
function issueTimeFor(now: Date, tokensValidAfter: Date | null): Date {
  return tokensValidAfter && tokensValidAfter > now ? tokensValidAfter : now;
}

export async function signIn(
  ctx: AuthDeps,
  requester: Requester,
  user: PublicUser,
  issuedAt: Date = ctx.now(),
): Promise<SignedIn> {
  const refresh = await startRefreshFamily(ctx, user.id, { userAgent: requester.userAgent, ip: requester.ip });
  const { token, expiresAt } = await signSessionToken(
    ctx.config.jwt,
    { userId: user.id, sessionId: refresh.familyId, epoch: refresh.epoch },
    issuedAt,
  );
  return { user, accessToken: token, accessTokenExpiresAt: expiresAt, refresh };
}
