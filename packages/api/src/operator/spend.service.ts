import type { Context } from '../context.js';
import { appError } from '../errors.js';
import {
  findSpendStanding,
  listActiveRunShapes,
  sumUsageSince,
  type KeySource,
  type SpendStanding,
} from './spend.repository.js';

/*
 * What a run may spend. The operator's fallback key serves only the users SERVER_KEY_USERS (or
 * their per-user flag) allows, only the configured council, with max_tokens on every call and a
 * daily budget per user. A user's own key knows only the cap the user set for themself.
 */

type SpendDeps = Pick<Context, 'db' | 'config' | 'now'>;

export function isServerKeyAllowed(config: Context['config'], standing: SpendStanding): boolean {
  if (standing.serverKeyAllowed !== null) return standing.serverKeyAllowed;
  const policy = config.operator.serverKey.users;
  return policy === 'all' || (policy === 'admins' && standing.isAdmin);
}

export async function mayUseServerKey(deps: Pick<SpendDeps, 'db' | 'config'>, userId: string): Promise<boolean> {
  const standing = await findSpendStanding(deps.db, userId);
  return standing !== undefined && isServerKeyAllowed(deps.config, standing);
}

/** A fallback-key run asks only the configured council, chairman and title model. */
export function assertServerKeyModels(config: Context['config'], models: (string | null)[]): void {
  const { council } = config;
  const allowed = new Set([...council.models, council.chairmanModel, council.titleModel ?? council.chairmanModel]);
  const outside = models.filter((m): m is string => m !== null && !allowed.has(m));
  if (outside.length > 0) {
    throw appError(
      'FORBIDDEN',
      'MODEL_NOT_ALLOWED',
      `On this server's key only the configured council may be asked (${[...allowed].join(', ')}); ` +
        `not ${outside.join(', ')}. Add your own key in Settings to choose other models.`,
    );
  }
}

export interface DailyBudget {
  tokenCap: number | null;
  usdCap: number | null;
  usedTokens: number;
  usedUsd: number;
  /** What the runs still going may yet spend, counted at their worst case (see `reserveOf`). */
  reservedTokens: number;
  reservedUsd: number;
}

/** The caps that apply to runs on this kind of key, what today's runs used and what runs in flight hold. */
export async function readDailyBudget(deps: SpendDeps, userId: string, keySource: KeySource): Promise<DailyBudget> {
  const standing = await findSpendStanding(deps.db, userId);
  const { dailyTokens, dailyUsd } = deps.config.operator.serverKey;
  const caps =
    keySource === 'server'
      ? { tokenCap: dailyTokens, usdCap: dailyUsd }
      : { tokenCap: standing?.dailyTokenCap ?? null, usdCap: standing?.dailyUsdCap ?? null };
  const used = await sumUsageSince(deps.db, userId, keySource, startOfUtcDay(deps.now()));
  const active = await listActiveRunShapes(deps.db, userId, keySource);
  const reservedTokens = active.reduce((sum, run) => sum + reserveOf(deps.config, run), 0);
  // Cost is known only after the fact: runs in flight are priced at today's average per token.
  const usdPerToken = used.tokens > 0 ? used.usd / used.tokens : 0;
  return {
    ...caps,
    usedTokens: used.tokens,
    usedUsd: used.usd,
    reservedTokens,
    reservedUsd: reservedTokens * usdPerToken,
  };
}

/** Today's use against the caps (UTC): the user's own on their key, the operator's on the fallback key. */
export async function describeDailyBudgets(deps: SpendDeps, userId: string) {
  const hasServerKey = deps.config.providers.some((p) => p.fallbackApiKey !== null);
  return {
    own: await readDailyBudget(deps, userId, 'own'),
    server: {
      isAvailable: hasServerKey && (await mayUseServerKey(deps, userId)),
      maxTokensPerCall: deps.config.operator.serverKey.maxTokensPerCall,
      ...(await readDailyBudget(deps, userId, 'server')),
    },
  };
}

/**
 * A run's worst case: every call it can make (an answer, a review and a repair ask per model,
 * the chairman, the title) at SERVER_KEY_MAX_TOKENS. That bounds what a fallback-key run can
 * write; for own keys it is an estimate, not a limit.
 */
function reserveOf(config: Context['config'], run: { models: string[]; titleModel: string | null }): number {
  const calls = run.models.length * 3 + 1 + (run.titleModel ? 1 : 0);
  return calls * config.operator.serverKey.maxTokensPerCall;
}

/**
 * Refuses a run once the day's usage plus what the runs in flight may still spend reaches a cap.
 * Called in the transaction that creates (or re-queues) the run, under the user's run lock, so
 * batched starts are decided one after another and each sees the reservation of the one before.
 * A run once admitted finishes even if it crosses the cap; the next one is refused.
 */
export async function assertWithinDailyBudget(deps: SpendDeps, userId: string, keySource: KeySource): Promise<void> {
  const budget = await readDailyBudget(deps, userId, keySource);
  const over =
    (budget.tokenCap !== null && budget.usedTokens + budget.reservedTokens >= budget.tokenCap) ||
    (budget.usdCap !== null && budget.usedUsd + budget.reservedUsd >= budget.usdCap);
  if (!over) return;
  const whose = keySource === 'server' ? "this server's key" : 'your own key (the daily cap you set in Settings)';
  const inFlight = budget.reservedTokens > 0 ? ' with the runs still going' : '';
  const now = deps.now();
  throw appError(
    'TOO_MANY_REQUESTS',
    'BUDGET_EXCEEDED',
    `Today's budget on ${whose} is used up${inFlight}: ${describeUse(budget)}. It resets at midnight UTC.`,
    { retryAfterSeconds: Math.ceil((startOfUtcDay(now).getTime() + 86_400_000 - now.getTime()) / 1000) },
  );
}

function describeUse(budget: DailyBudget): string {
  const parts = [
    budget.tokenCap !== null ? `${budget.usedTokens} of ${budget.tokenCap} tokens` : null,
    budget.usdCap !== null ? `$${budget.usedUsd.toFixed(4)} of $${budget.usdCap}` : null,
  ];
  return parts.filter(Boolean).join(', ');
}

function startOfUtcDay(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}
