import { randomUUID } from 'node:crypto';
import {
  applyRunEvent,
  createRunState,
  followRun,
  standingAnswer,
  type AppRouter,
  type CouncilMode,
  type RunEvent,
  type RunState,
} from '@llm-council/sdk';
import type { TRPCClient } from '@trpc/client';

type Usage = { promptTokens: number; completionTokens: number; totalTokens: number; cost: number | null };

export interface ConsultInput {
  /** The question as it is stored and asked. */
  question: string;
  /** Earlier turns another tool brought; stored before the question, read as the conversation so far. */
  history?: { question: string; answer: string }[];
  /** Which tool asks: the conversation is marked with it. */
  source: 'mcp' | 'openai';
  /** A saved council (`councils.list`): its models, chairman, mode, instructions, effort and web search. */
  councilId?: string;
  /** Overrides the council's mode: `full`, `ranked` (no chairman) or `answers` (stage 1 only). */
  mode?: CouncilMode;
  /** Standing instructions (a client's system prompt): override the saved council's. */
  instructions?: string;
}

export interface ConsultOptions {
  /** Aborting it cancels the run on the server. */
  signal?: AbortSignal;
  /** Sees every event as it arrives (progress, streamed text). */
  onEvent?: (event: RunEvent) => void;
}

/** A finished run, gathered from its events: everything a one-call client needs. */
export interface ConsultResult {
  conversationId: string;
  runId: string;
  status: 'completed' | 'failed' | 'cancelled' | 'interrupted';
  mode: CouncilMode;
  /**
   * The answer the run stands on (the SDK's `standingAnswer`): the chairman's synthesis in mode
   * `full`, the top-ranked answer in `ranked`, the first answer in `answers`; null when the run
   * did not get that far.
   */
  answer: string | null;
  /** Who wrote `answer`. */
  answerModel: string | null;
  /** What `answer` is: the synthesis, the answer ranked first, or the first answer given. */
  answerBasis: 'synthesis' | 'top_ranked' | 'first_answer' | null;
  /** The chairman the run was asked with; null in modes without one. */
  chairmanModel: string | null;
  /** The peer-only "street cred" table, best first. */
  ranking: RunState['aggregate'];
  /** How much the reviewers agreed (Kendall's W, p), for a details view. */
  agreement: RunState['agreement'];
  /** The verdict in plain words (clear winner, close, split) with its evidence; null before ranking. */
  verdict: RunState['verdict'];
  error: { stage: string; code: string; message: string } | null;
  /** Every call of the run: answers, reviews, the chairman and the title. */
  usage: Usage;
  answers: { model: string; content: string | null; error: string | null }[];
  /** Each review with its ranking in model names, best first. */
  reviews: { reviewer: string; content: string; ranking: string[] }[];
}

/**
 * Asks the council in a new conversation and follows the run to its end through the same tRPC
 * procedures every client uses (`council.start`, `council.events`, `council.cancel`), so
 * ownership, scopes, limits and budgets apply unchanged. The run's state is the SDK's reducer's
 * (`applyRunEvent`), as in the web client and the CLI. Refusals (a missing key, a limit, a
 * budget, an unknown council) reject with the server's error before anything runs.
 */
export async function consultCouncil(
  client: TRPCClient<AppRouter>,
  input: ConsultInput,
  options: ConsultOptions = {},
): Promise<ConsultResult> {
  // One call creates the conversation with the run: a refused start leaves nothing behind.
  const { runId, conversationId } = await client.council.start.mutate({
    newConversation: {
      source: input.source,
      ...(input.history && input.history.length > 0 ? { history: input.history } : {}),
    },
    content: input.question,
    ...(input.councilId !== undefined ? { councilId: input.councilId } : {}),
    ...(input.mode !== undefined ? { mode: input.mode } : {}),
    ...(input.instructions !== undefined ? { instructions: input.instructions } : {}),
    clientRequestId: randomUUID(),
  });
  let state = createRunState({ runId, models: [], chairmanModel: '' });
  const usage: Usage = { promptTokens: 0, completionTokens: 0, totalTokens: 0, cost: null };
  if (!options.signal?.aborted) {
    for await (const envelope of followRun(client, runId, options.signal ? { signal: options.signal } : {})) {
      state = applyRunEvent(state, envelope);
      addUsage(usage, envelope.event);
      options.onEvent?.(envelope.event);
    }
  }
  let status = endStatus(state);
  if (options.signal?.aborted && status === null) {
    await client.council.cancel.mutate({ runId });
    status = 'cancelled';
  }
  return toResult(state, conversationId, status ?? 'interrupted', usage);
}

function endStatus(state: RunState): ConsultResult['status'] | null {
  const { status } = state;
  return status === 'completed' || status === 'failed' || status === 'cancelled' || status === 'interrupted'
    ? status
    : null;
}

function toResult(
  state: RunState,
  conversationId: string,
  status: ConsultResult['status'],
  usage: Usage,
): ConsultResult {
  const standing = standingAnswer(state);
  const isDone = standing?.slot.status === 'done';
  const labelToModel = state.labelToModel;
  return {
    conversationId,
    runId: state.runId,
    status,
    mode: state.mode,
    answer: isDone ? standing.slot.text : null,
    answerModel: isDone ? standing.model : null,
    answerBasis: isDone ? standing.basis : null,
    chairmanModel: state.mode === 'full' && state.chairmanModel !== '' ? state.chairmanModel : null,
    ranking: state.aggregate,
    agreement: state.agreement,
    verdict: state.verdict,
    error: state.error
      ? { stage: state.error.stage ?? 'run', code: state.error.code, message: state.error.message }
      : null,
    usage,
    answers: state.models.map((model) => {
      const slot = state.stage1[model];
      return {
        model,
        content: slot?.status === 'done' ? slot.text : null,
        error: slot?.status === 'late' ? 'too slow, left out' : (slot?.error?.message ?? null),
      };
    }),
    reviews: Object.values(state.stage2)
      .filter((review) => review.status === 'done')
      .map((review) => ({
        reviewer: review.reviewer,
        content: review.content,
        ranking: review.parsedRanking.map((label) => labelToModel[label] ?? label),
      })),
  };
}

// The same sum the server keeps per run (`usage` of `council.get`): every call that reported usage,
// the title's included (the run state keeps only the council's calls).
function addUsage(total: Usage, event: RunEvent): void {
  const usage =
    event.type === 'model_completed' || event.type === 'review_completed' || event.type === 'title_completed'
      ? event.usage
      : null;
  if (!usage) return;
  total.promptTokens += usage.promptTokens;
  total.completionTokens += usage.completionTokens;
  total.totalTokens += usage.promptTokens + usage.completionTokens;
  if (usage.cost !== null) total.cost = (total.cost ?? 0) + usage.cost;
}
