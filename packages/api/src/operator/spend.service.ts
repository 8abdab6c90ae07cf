import type { Context } from '../context.js';
import { appError } from '../errors.js';
import { findSpendStanding, sumUsageSince, type KeySource, type SpendStanding } from './spend.repository.js';

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
}

/** The caps that apply to runs on this kind of key, and what today's runs used. */
export async function readDailyBudget(deps: SpendDeps, userId: string, keySource: KeySource): Promise<DailyBudget> {
  const standing = await findSpendStanding(deps.db, userId);
  const { dailyTokens, dailyUsd } = deps.config.operator.serverKey;
  const caps =
    keySource === 'server'
      ? { tokenCap: dailyTokens, usdCap: dailyUsd }
      : { tokenCap: standing?.dailyTokenCap ?? null, usdCap: standing?.dailyUsdCap ?? null };
  const used = await sumUsageSince(deps.db, userId, keySource, startOfUtcDay(deps.now()));
  return { ...caps, usedTokens: used.tokens, usedUsd: used.usd };
}

/**
 * Refuses a run once the day's usage reached a cap: called under the user's run lock, before the
 * run is created, so no upstream call is made. (Runs already going finish; their usage counts next.)
 */
export async function assertWithinDailyBudget(deps: SpendDeps, userId: string, keySource: KeySource): Promise<void> {
  const budget = await readDailyBudget(deps, userId, keySource);
  const over =
    (budget.tokenCap !== null && budget.usedTokens >= budget.tokenCap) ||
    (budget.usdCap !== null && budget.usedUsd >= budget.usdCap);
  if (!over) return;
  const whose = keySource === 'server' ? "this server's key" : 'your key (the daily cap you set in Settings)';
  const now = deps.now();
  throw appError(
    'TOO_MANY_REQUESTS',
    'BUDGET_EXCEEDED',
    `Today's budget on ${whose} is used up: ${describeUse(budget)}. It resets at midnight UTC.`,
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

export function startOfUtcDay(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}
