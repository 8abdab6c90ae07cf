import { confirmPassword } from '../auth/auth.service.js';
import { notFound } from '../errors.js';
import { deviceOf, recordAudit } from '../audit/audit.js';
import { protectedProcedure, router } from '../trpc.js';
import { createPersonalAccessToken, revokePersonalAccessToken } from './personal-access-tokens.js';
import { listTokens, type AccessTokenSummary } from './tokens.repository.js';
import { createTokenInput, tokenIdInput } from './tokens.schemas.js';

// Managing tokens needs a password session (protectedProcedure refuses tokens): a leaked token
// cannot mint more tokens or keep itself alive. Minting also needs the password itself, so a
// stolen 60-minute session cannot turn into a long-lived credential.
export const tokensRouter = router({
  /** Creates a token; `token` is returned this once and never again (only its hash is stored). */
  create: protectedProcedure.input(createTokenInput).mutation(async ({ ctx, input }) => {
    const { userId } = ctx.session;
    await confirmPassword(ctx, ctx.req, userId, input.password);
    const { token, summary } = await createPersonalAccessToken(ctx, userId, input);
    const detail = { tokenId: summary.id, scopes: summary.scopes.join(','), expiresInDays: input.expiresInDays };
    await recordAudit(ctx, { userId, event: 'token_created', ...deviceOf(ctx.req), detail });
    return { ...toSummary(summary), token };
  }),

  /** The caller's tokens that are not revoked, newest first, with their visible prefix. */
  list: protectedProcedure.query(async ({ ctx }) => (await listTokens(ctx.db, ctx.session.userId)).map(toSummary)),

  /** Revokes a token: refused from its next call, and its open event streams end on every host. */
  revoke: protectedProcedure.input(tokenIdInput).mutation(async ({ ctx, input }) => {
    const { userId } = ctx.session;
    if (!(await revokePersonalAccessToken(ctx, userId, input.id))) throw notFound('Access token');
    await recordAudit(ctx, { userId, event: 'token_revoked', ...deviceOf(ctx.req), detail: { tokenId: input.id } });
    return { ok: true as const };
  }),
});

function toSummary(row: AccessTokenSummary) {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}
