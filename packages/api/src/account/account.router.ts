import { changePasswordInput } from '../auth/auth.schemas.js';
import { changePassword, confirmPassword } from '../auth/auth.service.js';
import { endOtherSessions, endSession, liveSessions } from '../auth/sessions.service.js';
import { clearRefreshCookie, signedInResult } from '../auth/token-transport.js';
import { notFound } from '../errors.js';
import { deviceOf, recordAudit } from '../audit/audit.js';
import { exportAccountPage } from '../portability/export.service.js';
import { protectedProcedure, router } from '../trpc.js';
import { deleteAccount } from './account-deletion.service.js';
import { deleteAccountInput, exportAllInput, revokeSessionInput } from './account.schemas.js';

// Every procedure here is account-level and needs a password session: protectedProcedure refuses
// personal access tokens (ACCESS_TOKEN_FORBIDDEN). That includes `exportAll`, the whole account in
// one call; a `read` token exports one conversation at a time with `conversations.export`.
export const accountRouter = router({
  /**
   * Every conversation of the caller with all it holds, plus account metadata, as one JSON file
   * (docs/export-format.md) sent in parts: call again with `nextCursor` until it is null and join
   * the `content`s. Paged so no request holds the whole account in memory (issue 17).
   */
  exportAll: protectedProcedure
    .input(exportAllInput)
    .query(({ ctx, input }) => exportAccountPage(ctx.db, ctx.session.userId, input?.cursor ?? null, ctx.now())),

  /** The same as `auth.changePassword`: other sessions end, this one continues with fresh tokens. */
  changePassword: protectedProcedure
    .input(changePasswordInput)
    .mutation(async ({ ctx, input }) =>
      signedInResult(ctx, input.transport, await changePassword(ctx, ctx.req, ctx.session, input)),
    ),

  /** The caller's live sessions (devices), newest use first; `current` marks this one. */
  sessions: protectedProcedure.query(async ({ ctx }) => {
    const rows = await liveSessions(ctx, ctx.session.userId);
    return rows.map((row) => ({
      id: row.id,
      userAgent: row.userAgent,
      ip: row.ip,
      createdAt: row.createdAt.toISOString(),
      lastUsedAt: row.lastUsedAt.toISOString(),
      current: row.id === ctx.session.sessionId,
    }));
  }),

  /** Signs one device out: its refresh token and access token stop working at once, its streams end. */
  revokeSession: protectedProcedure.input(revokeSessionInput).mutation(async ({ ctx, input }) => {
    const { userId } = ctx.session;
    if (!(await endSession(ctx, userId, input.id))) throw notFound('Session');
    await recordAudit(ctx, { userId, event: 'session_revoked', ...deviceOf(ctx.req), detail: { sessionId: input.id } });
    return { ok: true as const };
  }),

  /** "Sign out everywhere else": every session but this one ends (access tokens stay). */
  revokeOtherSessions: protectedProcedure.mutation(async ({ ctx }) => {
    const { userId, sessionId } = ctx.session;
    const ended = sessionId ? await endOtherSessions(ctx, userId, sessionId) : 0;
    if (ended > 0)
      await recordAudit(ctx, { userId, event: 'session_revoked', ...deviceOf(ctx.req), detail: { ended } });
    return { ended };
  }),

  /**
   * Deletes the account and everything in it, after the password is confirmed (counted like
   * `changePassword`: guesses at either share one budget). Every token of the user is refused at
   * once and their open streams and runs end: nothing of theirs keeps working after the delete.
   */
  delete: protectedProcedure.input(deleteAccountInput).mutation(async ({ ctx, input }) => {
    await confirmPassword(ctx, ctx.req, ctx.session.userId, input.password);
    await deleteAccount(ctx, ctx.session.userId, 'self');
    clearRefreshCookie(ctx);
    return { ok: true as const };
  }),
});
