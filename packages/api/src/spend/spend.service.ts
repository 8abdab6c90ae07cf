import type { Context } from '../context.js';
import { appError } from '../errors.js';
import { sumSpendOfRuns, sumSpendSince } from './spend-ledger.repository.js';
import {
  findSpendStanding,
  listActiveRunShapes,
  type ActiveRunShape,
  type KeySource,
  type SpendStanding,
  updateDailyCaps,
} from './spend.repository.js';

export type { KeySource };

/*
 * What a run may spend. The operator's fallback key serves only the users SERVER_KEY_USERS (or
 * their per-user flag) allows, only the configured council, with max_tokens on every call and a
 * daily budget per user. A user's own key knows only the cap the user set for themself.
 */

type SpendDeps = Pick<Context, 'db' | 'config' | 'now'>;

/** Sets (or, with null, removes) the caps a user put on runs with their own key. */
export function setOwnKeyDailyCaps(
  deps: Pick<Context, 'db' | 'now'>,
  userId: string,
  caps: { tokens: number | null; usd: number | null },
): Promise<void> {
  return updateDailyCaps(deps.db, userId, { dailyTokenCap: caps.tokens, dailyUsdCap: caps.usd }, deps.now());
}

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
  /** Spent today (UTC), from the ledger: deleted conversations count, imported ones never do. */
  usedTokens: number;
  usedUsd: number;
  /** What the runs still going may yet spend: what each was admitted for, less what it spent. */
  reservedTokens: number;
  reservedUsd: number;
}

/**
 * The caps that apply to runs on this kind of key, what was spent today and what runs in flight
 * hold. `exceptRunId` leaves one run out of the reservations (the run asking for its next call).
 */
export async function readDailyBudget(
  deps: SpendDeps,
  userId: string,
  keySource: KeySource,
  exceptRunId?: string,
): Promise<DailyBudget> {
  const caps = await readCaps(deps, userId, keySource);
  const used = await sumSpendSince(deps.db, userId, keySource, startOfUtcDay(deps.now()));
  const active = (await listActiveRunShapes(deps.db, userId, keySource)).filter((run) => run.id !== exceptRunId);
  const spent = await sumSpendOfRuns(
    deps.db,
    active.map((run) => run.id),
  );
  const reservedTokens = active.reduce(
    (sum, run) => sum + Math.max(0, reservationOf(deps.config, run) - (spent.get(run.id) ?? 0)),
    0,
  );
  return {
    ...caps,
    usedTokens: used.tokens,
    usedUsd: used.usd,
    reservedTokens,
    reservedUsd: priced(used, reservedTokens),
  };
}

async function readCaps(deps: SpendDeps, userId: string, keySource: KeySource) {
  const { dailyTokens, dailyUsd } = deps.config.operator.serverKey;
  if (keySource === 'server') return { tokenCap: dailyTokens, usdCap: dailyUsd };
  const standing = await findSpendStanding(deps.db, userId);
  return { tokenCap: standing?.dailyTokenCap ?? null, usdCap: standing?.dailyUsdCap ?? null };
}

/** Cost is known only after the fact: tokens not yet spent are priced at today's average per token. */
function priced(used: { tokens: number; usd: number }, tokens: number): number {
  return used.tokens > 0 ? (tokens * used.usd) / used.tokens : 0;
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
 * A run admitted before the ledger has no stored reservation: it holds what the old rule gave it
 * (an answer, a review and a repair ask per model, the chairman and the title at
 * SERVER_KEY_MAX_TOKENS each).
 */
function reservationOf(config: Context['config'], run: ActiveRunShape): number {
  if (run.reservedTokens !== null) return run.reservedTokens;
  const calls = run.models.length * 3 + 1 + (run.titleModel ? 1 : 0);
  return calls * config.operator.serverKey.maxTokensPerCall;
}

/**
 * Refuses a run whose reservation (`tokens`: its estimated prompts plus the largest answer of
 * every call) does not fit in what is left of today's caps once the runs in flight hold theirs.
 * Called in the transaction that creates (or re-queues) the run, under the user's run lock, so
 * batched starts are decided one after another and each sees the reservation of the one before.
 */
export async function assertRunFitsDailyBudget(
  deps: SpendDeps,
  userId: string,
  keySource: KeySource,
  tokens: number,
): Promise<void> {
  const budget = await readDailyBudget(deps, userId, keySource);
  if (fits(budget, tokens)) return;
  throw budgetExceeded(deps, keySource, budget, tokens, 'this run');
}

/**
 * Inside a run: whether one call (`tokens`: its prompt as it will be sent plus its largest answer)
 * still fits next to what the user's other runs hold and what this run's calls in flight hold
 * (`inFlightTokens`). Returns the sentence to fail the call with, or null when it fits.
 */
export async function findCallOverBudget(
  deps: SpendDeps,
  call: { userId: string; keySource: KeySource; runId: string; tokens: number; inFlightTokens: number },
): Promise<string | null> {
  const caps = await readCaps(deps, call.userId, call.keySource);
  if (caps.tokenCap === null && caps.usdCap === null) return null; // no cap: nothing to count
  const budget = await readDailyBudget(deps, call.userId, call.keySource, call.runId);
  const reservedTokens = budget.reservedTokens + call.inFlightTokens;
  const held = {
    ...budget,
    reservedTokens,
    reservedUsd: priced({ tokens: budget.usedTokens, usd: budget.usedUsd }, reservedTokens),
  };
  return fits(held, call.tokens)
    ? null
    : budgetExceeded(deps, call.keySource, held, call.tokens, 'the next call of this run').message;
}

/**
 * What a retried run holds: what its earlier attempts spent (the ledger keeps it under the run)
 * plus the estimate of the calls the retry will make, since a run's hold is its reservation less
 * its spend.
 */
export async function reservationForRetry(
  deps: Pick<SpendDeps, 'db'>,
  runId: string,
  estimate: number,
): Promise<number> {
  const spent = await sumSpendOfRuns(deps.db, [runId]);
  return estimate + (spent.get(runId) ?? 0);
}

function fits(budget: DailyBudget, tokens: number): boolean {
  const usd = priced({ tokens: budget.usedTokens, usd: budget.usedUsd }, tokens);
  const isTokenOver =
    budget.tokenCap !== null &&
    (budget.usedTokens >= budget.tokenCap || budget.usedTokens + budget.reservedTokens + tokens > budget.tokenCap);
  const isUsdOver =
    budget.usdCap !== null &&
    (budget.usedUsd >= budget.usdCap || budget.usedUsd + budget.reservedUsd + usd > budget.usdCap);
  return !isTokenOver && !isUsdOver;
}

function budgetExceeded(deps: SpendDeps, keySource: KeySource, budget: DailyBudget, tokens: number, what: string) {
  const whose = keySource === 'server' ? "this server's key" : 'your own key (the daily cap you set in Settings)';
  const now = deps.now();
  return appError(
    'TOO_MANY_REQUESTS',
    'BUDGET_EXCEEDED',
    `Today's budget on ${whose} cannot take ${what}: ${describeUse(budget, tokens)}. It resets at midnight UTC.`,
    { retryAfterSeconds: Math.ceil((startOfUtcDay(now).getTime() + 86_400_000 - now.getTime()) / 1000) },
  );
}

function describeUse(budget: DailyBudget, tokens: number): string {
  const held = budget.reservedTokens > 0 ? ` + ${budget.reservedTokens} held by runs still going` : '';
  const parts = [
    budget.tokenCap !== null
      ? `${budget.usedTokens} of ${budget.tokenCap} tokens used${held}, ~${tokens} needed (prompts and longest answers)`
      : null,
    budget.usdCap !== null ? `$${budget.usedUsd.toFixed(4)} of $${budget.usdCap} used` : null,
  ];
  return parts.filter(Boolean).join('; ');
}

export function startOfUtcDay(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}
