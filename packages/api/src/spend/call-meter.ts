import { CallRefusedError, estimatePromptTokens, type ChatFn, type CouncilError } from '@llm-council/council';
import { isConnectionError } from '@llm-council/db';
import type { Context } from '../context.js';
import type { KeySource } from './spend.repository.js';
import { findCallOverBudget } from './spend.service.js';

export interface MeteredRun {
  userId: string;
  runId: string;
  keySource: KeySource;
  /** The most one call may answer, where the call itself sets no limit (SERVER_KEY_MAX_TOKENS). */
  maxOutputTokens: number;
}

/**
 * Wraps a run's `chat` so that no call starts unless its reservation — its prompt as it will be
 * sent plus the most it may answer — still fits today's budget next to the user's other runs and
 * this run's calls in flight. A refused call never reaches the provider: it fails with
 * BUDGET_EXCEEDED, and `refusal()` lets the run name that as its own failure.
 */
export function meterCalls(
  deps: Pick<Context, 'db' | 'config' | 'now'>,
  chat: ChatFn,
  run: MeteredRun,
): { chat: ChatFn; refusal: () => CouncilError | undefined } {
  let inFlightTokens = 0;
  let refusal: CouncilError | undefined;
  const metered: ChatFn = async (request) => {
    const answer = Math.min(request.maxTokens ?? run.maxOutputTokens, run.maxOutputTokens);
    const tokens = estimatePromptTokens(request.messages) + answer;
    // Held before the check, so calls started together (a stage's models) each count the others.
    inFlightTokens += tokens;
    try {
      const overBudget = await throughOutage(() =>
        findCallOverBudget(deps, { ...run, tokens, inFlightTokens: inFlightTokens - tokens }),
      );
      if (overBudget !== null) {
        refusal = { code: 'BUDGET_EXCEEDED', message: overBudget };
        throw new CallRefusedError(refusal.code, refusal.message);
      }
      return await chat(request);
    } finally {
      inFlightTokens -= tokens;
    }
  };
  return { chat: metered, refusal: () => refusal };
}

/** How long a call waits for an unreachable database before its check fails the call. */
const OUTAGE_WAIT_MS = 60_000;

/**
 * Runs the budget check, waiting out a database outage (as the event writer does) instead of
 * failing the call: the run's whole reservation was admitted at start, and a restart of the
 * database must not cost the user their answers.
 */
async function throughOutage<T>(check: () => Promise<T>): Promise<T> {
  const giveUpAt = Date.now() + OUTAGE_WAIT_MS;
  let delayMs = 100;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (!isConnectionError(error) || Date.now() + delayMs > giveUpAt) throw error;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      delayMs = Math.min(delayMs * 2, 2_000);
    }
  }
}
