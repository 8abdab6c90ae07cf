import { CallRefusedError, estimatePromptTokens, type ChatFn, type CouncilError } from '@llm-council/council';
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
      const overBudget = await findCallOverBudget(deps, { ...run, tokens, inFlightTokens: inFlightTokens - tokens });
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
