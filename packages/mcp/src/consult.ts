import { randomUUID } from 'node:crypto';
import { followRun, type AppRouter, type RunEvent } from '@llm-council/sdk';
import type { TRPCClient } from '@trpc/client';

type Ranked = Extract<RunEvent, { type: 'aggregate_ranked' }>;
type Usage = { promptTokens: number; completionTokens: number; totalTokens: number; cost: number | null };

export interface ConsultInput {
  /** The question as it is stored and asked. */
  question: string;
  /** Earlier turns another tool brought; stored before the question, read as the conversation so far. */
  history?: { question: string; answer: string }[];
  /** Which tool asks: the conversation is marked with it. */
  source: 'mcp' | 'openai';
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
  /** The chairman's synthesis; null when the run did not get that far. */
  answer: string | null;
  chairmanModel: string | null;
  /** The peer-only "street cred" table, best first. */
  ranking: Ranked['aggregate'];
  /** How much the reviewers agreed (Kendall's W, p), for a details view. */
  agreement: Ranked['agreement'] | null;
  /** The verdict in plain words (clear winner, close, split) with its evidence; null before ranking. */
  verdict: Ranked['verdict'] | null;
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
 * ownership, scopes, limits and budgets apply unchanged. Refusals (a missing key, a limit, a
 * budget) reject with the server's error before anything runs.
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
    clientRequestId: randomUUID(),
  });
  const result = new RunResult(conversationId, runId);
  if (!options.signal?.aborted) {
    for await (const { event } of followRun(client, runId, options.signal ? { signal: options.signal } : {})) {
      result.apply(event);
      options.onEvent?.(event);
    }
  }
  if (options.signal?.aborted && result.status === null) {
    await client.council.cancel.mutate({ runId });
    result.status = 'cancelled';
  }
  return result.toJSON();
}

class RunResult {
  status: ConsultResult['status'] | null = null;
  private answer: string | null = null;
  private chairmanModel: string | null = null;
  private ranked: Ranked | null = null;
  private error: ConsultResult['error'] = null;
  private labelToModel: Record<string, string> = {};
  private readonly usage: Usage = { promptTokens: 0, completionTokens: 0, totalTokens: 0, cost: null };
  private readonly answers = new Map<string, ConsultResult['answers'][number]>();
  private readonly reviews: { reviewer: string; content: string; labels: string[] }[] = [];

  constructor(
    private readonly conversationId: string,
    private readonly runId: string,
  ) {}

  apply(event: RunEvent): void {
    switch (event.type) {
      case 'run_started':
        this.chairmanModel = event.chairmanModel;
        for (const model of event.models) this.answers.set(model, { model, content: null, error: null });
        return;
      case 'model_completed':
        this.addUsage(event.usage);
        if (event.stage === 'stage3') this.answer = event.content;
        else this.answers.set(event.model, { model: event.model, content: event.content, error: null });
        return;
      case 'model_failed':
        if (event.stage === 'stage1')
          this.answers.set(event.model, { ...this.answerOf(event.model), error: event.error.message });
        return;
      case 'model_late':
        if (event.stage === 'stage1')
          this.answers.set(event.model, { ...this.answerOf(event.model), error: 'too slow, left out' });
        return;
      case 'review_completed':
        this.addUsage(event.usage);
        this.reviews.push({ reviewer: event.reviewer, content: event.content, labels: event.parsedRanking });
        return;
      case 'labels_assigned':
        this.labelToModel = event.labelToModel;
        return;
      case 'aggregate_ranked':
        this.ranked = event;
        return;
      case 'title_completed':
        this.addUsage(event.usage ?? null);
        return;
      case 'run_completed':
        this.status = 'completed';
        return;
      case 'run_failed':
        this.status = 'failed';
        this.error = { stage: event.stage, ...event.error };
        return;
      case 'run_cancelled':
        this.status = 'cancelled';
        return;
      case 'run_interrupted':
        this.status = 'interrupted';
        return;
      case 'stage_started':
      case 'stage_completed':
      case 'model_delta':
        return;
    }
  }

  toJSON(): ConsultResult {
    return {
      conversationId: this.conversationId,
      runId: this.runId,
      status: this.status ?? 'interrupted',
      answer: this.answer,
      chairmanModel: this.chairmanModel,
      ranking: this.ranked?.aggregate ?? [],
      agreement: this.ranked?.agreement ?? null,
      verdict: this.ranked?.verdict ?? null,
      error: this.error,
      usage: this.usage,
      answers: [...this.answers.values()],
      reviews: this.reviews.map(({ reviewer, content, labels }) => ({
        reviewer,
        content,
        ranking: labels.map((label) => this.labelToModel[label] ?? label),
      })),
    };
  }

  private answerOf(model: string): ConsultResult['answers'][number] {
    return this.answers.get(model) ?? { model, content: null, error: null };
  }

  // The same sum the server keeps per run (`usage` of `council.get`): every call that reported usage.
  private addUsage(usage: (Omit<Usage, 'cost'> & { cost: number | null }) | null): void {
    if (!usage) return;
    this.usage.promptTokens += usage.promptTokens;
    this.usage.completionTokens += usage.completionTokens;
    this.usage.totalTokens += usage.promptTokens + usage.completionTokens;
    if (usage.cost !== null) this.usage.cost = (this.usage.cost ?? 0) + usage.cost;
  }
}
