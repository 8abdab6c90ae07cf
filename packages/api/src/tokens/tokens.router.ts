import { notFound } from '../errors.js';
import { protectedProcedure, router } from '../trpc.js';
import { createPersonalAccessToken } from './personal-access-tokens.js';
import { listTokens, revokeToken, type AccessTokenSummary } from './tokens.repository.js';
import { createTokenInput, tokenIdInput } from './tokens.schemas.js';

// Managing tokens needs a password session (protectedProcedure refuses tokens): a leaked token
// cannot mint more tokens or keep itself alive.
export const tokensRouter = router({
  /** Creates a token; `token` is returned this once and never again (only its hash is stored). */
  create: protectedProcedure.input(createTokenInput).mutation(async ({ ctx, input }) => {
    const { token, summary } = await createPersonalAccessToken(ctx, ctx.session.userId, input);
    return { ...toSummary(summary), token };
  }),

  /** The caller's tokens that are not revoked, newest first, with their visible prefix. */
  list: protectedProcedure.query(async ({ ctx }) => (await listTokens(ctx.db, ctx.session.userId)).map(toSummary)),

  revoke: protectedProcedure.input(tokenIdInput).mutation(async ({ ctx, input }) => {
    if (!(await revokeToken(ctx.db, ctx.session.userId, input.id, ctx.now()))) throw notFound('Access token');
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
