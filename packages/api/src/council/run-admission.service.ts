import { estimateRunTokens, minimumAnswers, type CouncilMode } from '@llm-council/council';
import type { Database } from '@llm-council/db';
import type { Transaction } from 'kysely';
import type { Context } from '../context.js';
import { appError } from '../errors.js';
import { enforceRateLimit } from '../shared/rate-limit.js';
import type { KeySource } from '../spend/spend.service.js';
import { assertServerKeyModels } from '../spend/spend.service.js';
import { resolveApiKey } from '../settings/api-key.service.js';
import { findProvider } from '../settings/providers.js';
import { countActiveRuns, lockUserRuns } from './council-runs.repository.js';

/*
 * What a run must pass before anything is written or sent upstream — the models, the key, the
 * council's size, the rate and concurrency limits — and what it is admitted for (its token
 * reservation, the per-call cap on the operator's key). Start, retry and a saved council's checks
 * all come through here.
 */

/** What running the council needs: no request, no session — the caller's id is an argument. */
export type CouncilDeps = Pick<Context, 'db' | 'config' | 'services' | 'now'>;

/**
 * The key a run will use, and on the operator's key the models it may ask — refused before
 * anything is written or sent upstream.
 */
async function resolveRunKey(
  ctx: CouncilDeps,
  userId: string,
  provider: ReturnType<typeof findProvider>,
  models: string[],
): Promise<{ apiKey: string; keySource: KeySource }> {
  const { apiKey, source } = await resolveApiKey(ctx, userId, provider);
  const keySource: KeySource = source === 'server' ? 'server' : 'own';
  if (keySource === 'server') assertServerKeyModels(ctx.config, models);
  return { apiKey, keySource };
}

/**
 * What start and retry both check before anything is written, for every model the run will
 * call (the title model included): the provider offers it, and on the operator's key the
 * operator allows it. Returns the key the run will use.
 */
export async function admitModels(
  ctx: CouncilDeps,
  userId: string,
  provider: ReturnType<typeof findProvider>,
  [members, chairman, title]: [string[], string | null, string | null],
): Promise<{ apiKey: string; keySource: KeySource }> {
  const called = dedupe([...members, ...(chairman ? [chairman] : []), ...(title ? [title] : [])]);
  await ctx.services.council.catalog.assertKnown(provider, called);
  return resolveRunKey(ctx, userId, provider, called);
}

/**
 * What `councils.create`/`update` check, the same way a start checks them: the council's size for
 * its mode, the provider's catalogue and, on the operator's key, the allowlist — for every model
 * the council will call.
 */
export async function assertCouncilModels(
  ctx: CouncilDeps,
  userId: string,
  council: { models: string[]; chairmanModel: string; mode: CouncilMode },
): Promise<void> {
  const models = dedupe(council.models);
  assertCouncilSize(models, council.mode);
  await admitModels(ctx, userId, findProvider(ctx.config, undefined), [
    models,
    chairmanIn(council.mode, council.chairmanModel),
    null,
  ]);
}

/** Only a `full` council calls its chairman; the other modes neither check nor pay for it. */
export function chairmanIn(mode: CouncilMode, chairmanModel: string): string | null {
  return mode === 'full' ? chairmanModel : null;
}

/** `answers` runs with one model (a plain chat); reviews need at least two answers to compare. */
export function assertCouncilSize(models: string[], mode: CouncilMode): void {
  const min = minimumAnswers(mode);
  if (models.length >= min) return;
  throw appError(
    'BAD_REQUEST',
    'VALIDATION_FAILED',
    `models: a council in ${mode} mode needs at least ${min} different models (mode answers works with one)`,
  );
}

/** The tokens a run is admitted for: every call's estimated prompt plus its largest answer. */
export function estimateReservation(ctx: CouncilDeps, plan: Parameters<typeof estimateRunTokens>[0]): number {
  return estimateRunTokens(
    { ...plan, method: ctx.config.council.method },
    ctx.config.operator.serverKey.maxTokensPerCall,
  );
}

/** On the operator's key every upstream call carries SERVER_KEY_MAX_TOKENS. */
export function callLimitsFor(ctx: CouncilDeps, keySource: KeySource): { maxTokensPerCall?: number } {
  return keySource === 'server' ? { maxTokensPerCall: ctx.config.operator.serverKey.maxTokensPerCall } : {};
}

export async function enforceRunRate(ctx: CouncilDeps, userId: string): Promise<void> {
  await enforceRateLimit(ctx, `council:user:${userId}`, ctx.config.rateLimits.councilRunsPerUser);
}

/**
 * Inside the transaction that creates (or re-queues) the run, under the user's lock: parallel
 * starts count one after another, so a batch of ten cannot all see "two running" at once.
 */
export async function assertBelowRunLimit(trx: Transaction<Database>, ctx: CouncilDeps, userId: string): Promise<void> {
  await lockUserRuns(trx, userId);
  const active = await countActiveRuns(trx, userId);
  const max = ctx.config.council.maxConcurrentRunsPerUser;
  if (active >= max) {
    throw appError(
      'TOO_MANY_REQUESTS',
      'RUN_LIMIT_REACHED',
      `You already have ${active} council runs going (the limit is ${max}). Wait for one to finish.`,
    );
  }
}

export function dedupe(values: string[]): string[] {
  return [...new Set(values)];
}
