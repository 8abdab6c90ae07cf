import { notFound } from '../errors.js';
import { deviceOf, recentAuditEvents, recordAudit } from '../audit/audit.js';
import { enforceRateLimit } from '../shared/rate-limit.js';
import { protectedProcedure, router } from '../trpc.js';
import { hintFor, encryptApiKey } from './api-key-crypto.js';
import { findProvider } from './providers.js';
import { deleteApiKey, listApiKeys, upsertApiKey, type ApiKeySummary } from './api-keys.repository.js';
import { deleteApiKeyInput, saveApiKeyInput, setDailyBudgetInput } from './settings.schemas.js';
import { describeDailyBudgets, setOwnKeyDailyCaps } from '../spend/spend.service.js';

const SECURITY_ACTIVITY_LIMIT = 50;

export const settingsRouter = router({
  /** The providers this server is configured for (users store one key per provider). */
  providers: protectedProcedure.query(({ ctx }) =>
    ctx.config.providers.map((p) => ({ id: p.id, label: p.label, hasServerKey: p.fallbackApiKey !== null })),
  ),

  /** Saves (or replaces) the caller's key for a provider. The key is never returned, only its hint. */
  saveApiKey: protectedProcedure.input(saveApiKeyInput).mutation(async ({ ctx, input }) => {
    const provider = findProvider(ctx.config, input.provider);
    // Counted before the provider is called: parallel or batched saves cannot outrun the limit.
    await enforceRateLimit(ctx, `saveApiKey:user:${ctx.session.userId}`, ctx.config.rateLimits.saveApiKeyPerUser);
    const validation = await ctx.services.validateApiKey(provider, input.apiKey);
    const owner = { userId: ctx.session.userId, provider: provider.id };
    const saved = await upsertApiKey(
      ctx.db,
      {
        ...owner,
        encryptedKey: encryptApiKey(ctx.config.encryptionKeys, input.apiKey, owner),
        keyHint: hintFor(input.apiKey),
      },
      ctx.now(),
    );
    await recordAudit(ctx, {
      userId: owner.userId,
      event: 'api_key_saved',
      ...deviceOf(ctx.req),
      detail: { provider: provider.id },
    });
    return { ...toSummary(saved), validation };
  }),

  listApiKeys: protectedProcedure.query(async ({ ctx }) =>
    (await listApiKeys(ctx.db, ctx.session.userId)).map(toSummary),
  ),

  /** The day's budgets (UTC): the cap the user set for their own key, and the operator's for the server key. */
  dailyBudget: protectedProcedure.query(({ ctx }) => describeDailyBudgets(ctx, ctx.session.userId)),

  /** Sets (or, with null, removes) the user's own daily caps for runs on their own key. */
  setDailyBudget: protectedProcedure.input(setDailyBudgetInput).mutation(async ({ ctx, input }) => {
    await setOwnKeyDailyCaps(ctx, ctx.session.userId, { tokens: input.tokens, usd: input.usd });
    return describeDailyBudgets(ctx, ctx.session.userId);
  }),

  deleteApiKey: protectedProcedure.input(deleteApiKeyInput).mutation(async ({ ctx, input }) => {
    if (!(await deleteApiKey(ctx.db, ctx.session.userId, input.provider))) throw notFound('API key');
    await recordAudit(ctx, {
      userId: ctx.session.userId,
      event: 'api_key_deleted',
      ...deviceOf(ctx.req),
      detail: { provider: input.provider },
    });
    return { ok: true as const };
  }),

  /** The caller's recent security events (sign-ins, failures, password and key changes…), newest first. */
  securityActivity: protectedProcedure.query(async ({ ctx }) =>
    (await recentAuditEvents(ctx, ctx.session.userId, SECURITY_ACTIVITY_LIMIT)).map((row) => ({
      event: row.event,
      at: row.createdAt.toISOString(),
      ip: row.ip,
      userAgent: row.userAgent,
      detail: row.detail,
    })),
  ),
});

function toSummary(row: ApiKeySummary) {
  return {
    provider: row.provider,
    keyHint: row.keyHint,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
