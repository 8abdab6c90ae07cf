import { addressBucket } from '../shared/client-address.js';
import { appError } from '../errors.js';
import { protectedProcedure, publicProcedure, router, scopedProcedure } from '../trpc.js';
import { changePasswordInput, credentialsInput, loginInput, logoutAllInput, refreshInput } from './auth.schemas.js';
import { deviceOf, recordAudit } from '../audit/audit.js';
import { enforceRateLimit } from '../shared/rate-limit.js';
import { changePassword, login, refreshSession, register } from './auth.service.js';
import { revokeRefreshToken } from './refresh-token.service.js';
import { endAllSessions } from './sessions.service.js';
import { clearRefreshCookie, readRefreshToken, signedInResult } from './token-transport.js';
import { findUserById } from './users.repository.js';

export const authRouter = router({
  /** Who the caller is, for a password session or any valid access token (`llm-council whoami`). */
  whoami: scopedProcedure(null).query(({ ctx }) => ({ id: ctx.session.userId, email: ctx.session.email })),

  /** How this server lets people sign up, so the form can ask for an invite code (or say it is closed). */
  registrationMode: publicProcedure.query(({ ctx }) => ({ mode: ctx.config.operator.registration })),

  register: publicProcedure.input(credentialsInput).mutation(async ({ ctx, input }) => {
    return signedInResult(ctx, input.transport, await register(ctx, ctx.req, input));
  }),

  login: publicProcedure.input(loginInput).mutation(async ({ ctx, input }) => {
    return signedInResult(ctx, input.transport, await login(ctx, ctx.req, input));
  }),

  /** Rotates the refresh token and returns a fresh session token. */
  refresh: publicProcedure.input(refreshInput).mutation(async ({ ctx, input }) => {
    await enforceRateLimit(ctx, `refresh:ip:${addressBucket(ctx.req.ip)}`, ctx.config.rateLimits.refreshPerIp);
    const presented = await readRefreshToken(ctx, input.transport, input.refreshToken);
    if (!presented) throw appError('UNAUTHORIZED', 'SESSION_EXPIRED', 'No session to refresh; please sign in');
    return signedInResult(ctx, input.transport, await refreshSession(ctx, ctx.req, presented));
  }),

  me: protectedProcedure.query(async ({ ctx }) => {
    const user = await findUserById(ctx.db, ctx.session.userId);
    if (!user) throw appError('UNAUTHORIZED', 'SESSION_EXPIRED', 'Please sign in again');
    return { id: user.id, email: user.email, createdAt: user.createdAt.toISOString(), isAdmin: user.isAdmin };
  }),

  /** Ends this session server-side. Works with an expired session token: only the refresh token counts. */
  logout: publicProcedure.input(refreshInput).mutation(async ({ ctx, input }) => {
    // Anyone can call it without signing in: bounded per address like refresh.
    await enforceRateLimit(ctx, `logout:ip:${addressBucket(ctx.req.ip)}`, ctx.config.rateLimits.logoutPerIp);
    const presented = await readRefreshToken(ctx, input.transport, input.refreshToken);
    if (presented) await revokeRefreshToken(ctx, presented);
    if (input.transport === 'cookie') clearRefreshCookie(ctx);
    return { ok: true as const };
  }),

  /**
   * Ends every session of the user, on every device: tokens refused at once, open streams ended;
   * personal access tokens are revoked too unless `keepAccessTokens`.
   */
  logoutAll: protectedProcedure.input(logoutAllInput).mutation(async ({ ctx, input }) => {
    const detail = await endAllSessions(ctx, ctx.session.userId, input.keepAccessTokens ? 'keep' : 'revoke');
    await recordAudit(ctx, { userId: ctx.session.userId, event: 'logout_all', ...deviceOf(ctx.req), detail });
    clearRefreshCookie(ctx);
    return { ok: true as const };
  }),

  /** Changes the password and ends every other session; returns a fresh session for the caller. */
  changePassword: protectedProcedure.input(changePasswordInput).mutation(async ({ ctx, input }) => {
    return signedInResult(ctx, input.transport, await changePassword(ctx, ctx.req, ctx.session, input));
  }),
});
