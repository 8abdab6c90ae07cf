import type { TRPCClient } from '@trpc/client';
import type { AppRouter } from '@llm-council/api';
import { getAppErrorCode } from './errors.js';
import { ask, type AskOptions, type RunEvent, type RunEventEnvelope } from './ask.js';
import { applyRunEvent } from './run-reducer.js';
import { createRunState, type AggregateRanking, type Agreement, type RunRecord, type RunState } from './run-state.js';

export type AskCouncilOptions = Omit<AskOptions, 'lastEventId'> & {
  /** Continue this conversation (its history is the context); a new one is created when omitted. */
  conversationId?: string;
  /**
   * The new conversation's title (ignored with `conversationId`). `models` and `chairmanModel`
   * become a new conversation's council, or override it for this question with `conversationId`.
   */
  title?: string;
  /** Every event as it arrives (e.g. to stream the chairman's `model_delta`s to a terminal). */
  onEvent?: (event: RunEvent, envelope: RunEventEnvelope) => void;
};

export interface CouncilAnswer {
  conversationId: string;
  runId: string;
  /** The chairman's final answer (Markdown). */
  answer: string;
  /** How far the reviewers agreed on the ranking; null when it could not be measured. */
  verdict: Agreement | null;
  /** The peer-only "street cred" table, best first. */
  ranking: AggregateRanking[];
  /**
   * Every call of the run summed (answers, reviews, chairman, title), as the server recorded it;
   * null when unknown, or when the access token lacks the `read` scope.
   */
  usage: RunRecord['usage'];
}

/**
 * Asks the council one question and resolves with the outcome once the run has completed; a
 * run that fails, is cancelled or interrupted rejects with a `CouncilRunError` carrying the
 * state reached. Use `ask` instead to handle every event yourself.
 *
 * @example
 * const { answer, ranking, conversationId } = await client.askCouncil('Is P = NP?');
 * console.log(answer);
 * console.table(ranking);
 * const followUp = await client.askCouncil('Why?', { conversationId });
 */
export async function askCouncil(
  client: TRPCClient<AppRouter>,
  question: string,
  options: AskCouncilOptions = {},
): Promise<CouncilAnswer> {
  const { conversationId: existing, title, onEvent, ...askOptions } = options;
  let conversationId = existing;
  if (conversationId === undefined) {
    // A new conversation keeps the chosen council for its follow-up questions too.
    const { models, chairmanModel } = askOptions;
    const created = await client.conversations.create.mutate({
      ...(title === undefined ? {} : { title }),
      ...(models === undefined ? {} : { models }),
      ...(chairmanModel === undefined ? {} : { chairmanModel }),
    });
    conversationId = created.id;
  }
  let state: RunState | null = null;
  for await (const envelope of ask(client, conversationId, question, askOptions)) {
    state ??= createRunState({ runId: envelope.runId, models: [], chairmanModel: '' });
    state = applyRunEvent(state, envelope);
    onEvent?.(envelope.event, envelope);
  }
  if (!state || state.status !== 'completed') {
    throw new CouncilRunError(state, options.signal?.aborted === true);
  }
  return {
    conversationId,
    runId: state.runId,
    answer: state.stage3.text,
    verdict: state.agreement,
    ranking: state.aggregate,
    usage: await readRunUsage(client, state.runId),
  };
}

/**
 * The run's total, summed by the server once it ends (events carry each call's usage). Reading
 * it needs the `read` scope: an access token with only `council` may ask, and gets null here.
 */
async function readRunUsage(client: TRPCClient<AppRouter>, runId: string): Promise<RunRecord['usage']> {
  try {
    return (await client.council.get.query({ runId })).usage;
  } catch (error) {
    if (getAppErrorCode(error) === 'ACCESS_TOKEN_FORBIDDEN') return null;
    throw error;
  }
}

/** A council run that ended without an answer: failed, cancelled, interrupted, or stopped following. */
export class CouncilRunError extends Error {
  /** The run as far as it got (null when no event arrived); `state.error` says why it failed. */
  readonly state: RunState | null;

  constructor(state: RunState | null, isAborted: boolean) {
    super(describeEnd(state, isAborted));
    this.name = 'CouncilRunError';
    this.state = state;
  }
}

function describeEnd(state: RunState | null, isAborted: boolean): string {
  if (isAborted) return 'Stopped following the run before it ended';
  if (!state) return 'The run ended without any event';
  if (state.status === 'failed') return `The council run failed: ${state.error?.message ?? 'unknown error'}`;
  return `The council run was ${state.status}`;
}
