import type { TRPCClient } from '@trpc/client';
import type { AppRouter } from '@llm-council/api';
import { getAppErrorCode } from './errors.js';
import { ask, type AskOptions, type RunEvent, type RunEventEnvelope } from './ask.js';
import { applyRunEvent } from './run-reducer.js';
import {
  createRunState,
  standingAnswer,
  type AggregateRanking,
  type Agreement,
  type CouncilMode,
  type RunRecord,
  type RunState,
} from './run-state.js';
import type { CouncilVerdict } from './types.js';

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
  /** The answer the run stands on (`standingAnswer`): the synthesis, or the top-ranked or first answer. */
  answer: string;
  /** Who wrote `answer`. */
  answerModel: string;
  mode: CouncilMode;
  /** The verdict in plain words ("clear winner", "close", "split", no peer ranking) with its evidence. */
  verdict: CouncilVerdict | null;
  /** How far the reviewers' whole rankings agreed (Kendall's W, p); null when not measurable. */
  agreement: Agreement | null;
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
  const { conversationId: existing, title, onEvent, onStarted, ...askOptions } = options;
  // Without a conversation id the server creates one together with the run, so a refused
  // question leaves no empty conversation behind; `models`/`chairmanModel` become its council.
  let conversationId = existing ?? '';
  const newConversation = existing === undefined ? { newConversation: title === undefined ? {} : { title } } : {};
  let state: RunState | null = null;
  for await (const envelope of ask(client, existing ?? null, question, {
    ...askOptions,
    ...newConversation,
    onStarted: (runId, startedIn) => {
      conversationId = startedIn;
      onStarted?.(runId, startedIn);
    },
  })) {
    state ??= createRunState({ runId: envelope.runId, models: [], chairmanModel: '' });
    state = applyRunEvent(state, envelope);
    onEvent?.(envelope.event, envelope);
  }
  if (!state || state.status !== 'completed') {
    throw new CouncilRunError(state, options.signal?.aborted === true);
  }
  const standing = standingAnswer(state);
  return {
    conversationId,
    runId: state.runId,
    answer: standing?.slot.text ?? '',
    answerModel: standing?.model ?? state.chairmanModel,
    mode: state.mode,
    verdict: state.verdict,
    agreement: state.agreement,
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
