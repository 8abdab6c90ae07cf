import {
  verdictFromReviews,
  type AggregateRanking,
  type AnswerSource,
  type CouncilVerdict,
  type Usage,
} from '@llm-council/council';
import type { CouncilRun, Database } from '@llm-council/db';
import type { Kysely } from 'kysely';
import { listResponsesOfRuns, listRunsOfConversation } from './council-runs.repository.js';
import { sumUsageOfRuns, type RunUsageTotal } from '../usage/usage.service.js';
import {
  MODEL_STOPPED,
  readReviewDetails,
  readVerdict,
  type ReviewDetails,
  type VerdictView,
} from './review-details.js';
import {
  aggregateSchema,
  answerSourcesSchema,
  labelToModelSchema,
  parsedRankingSchema,
  readStored,
} from './stored-shapes.js';

type ResponseRow = Awaited<ReturnType<typeof listResponsesOfRuns>>[number];
type ErrorView = { code: string; message: string } | null;

/** One model's contribution to a stage, as stored. */
export interface ModelAnswerView {
  model: string;
  status: 'completed' | 'failed';
  content: string | null;
  error: ErrorView;
  usage: Usage | null;
  durationMs: number | null;
}

/** An answer or a synthesis, with what its model thought before writing it (null: nothing shown). */
export type AnswerView = ModelAnswerView & { reasoning: string | null };

/** Everything a client needs to draw a finished (or paused) run without replaying its events. */
export interface RunRecord {
  id: string;
  status: CouncilRun['status'];
  userMessageId: string;
  provider: string;
  models: string[];
  chairmanModel: string;
  /** `full` (runs before modes too), `ranked` (no chairman) or `answers` (stage 1 only). */
  mode: CouncilRun['mode'];
  /** The standing instructions the run was asked with, or null. */
  instructions: string | null;
  reasoningEffort: CouncilRun['reasoningEffort'];
  webSearch: boolean;
  attempt: number;
  error: { code: string; message: string; stage?: string } | null;
  labelToModel: Record<string, string> | null;
  aggregate: AggregateRanking[] | null;
  /**
   * The verdict in plain words; derived from the stored reviews for runs stored before it was kept.
   * Null until the reviews are aggregated.
   */
  verdict: CouncilVerdict | null;
  /** Agreement, the all-votes table and head-to-head wins; each null for runs stored before them. */
  agreement: VerdictView['agreement'];
  allVotes: VerdictView['allVotes'];
  pairwiseWins: VerdictView['pairwiseWins'];
  /** Each answer with the web pages it cites (empty without web search), numbered in this order. */
  stage1: (AnswerView & { sources: AnswerSource[] })[];
  stage2: (Omit<ModelAnswerView, 'model'> & { reviewer: string; parsedRanking: string[] } & ReviewDetails)[];
  /** The synthesis: the chairman's, or a stand-in's when the chairman failed (see `chairmanFailure`). */
  stage3: AnswerView | null;
  /**
   * Set when the chairman failed after its retries and a council member wrote the synthesis in
   * its place (`stage3.model`): the failed chairman and why. Null otherwise.
   */
  chairmanFailure: { model: string; error: ModelAnswerView['error'] } | null;
  title: string | null;
  /** Every call of the run summed (answers, reviews, chairman, title); null until a call reports usage. */
  usage: RunUsageTotal | null;
  createdAt: string;
  finishedAt: string | null;
}

export async function listRunRecords(db: Kysely<Database>, conversationId: string): Promise<RunRecord[]> {
  const runs = await listRunsOfConversation(db, conversationId);
  const runIds = runs.map((r) => r.id);
  const [responses, usage] = await Promise.all([listResponsesOfRuns(db, runIds), sumUsageOfRuns(db, runIds)]);
  return runs.map((run) =>
    toRunRecord(
      run,
      responses.filter((r) => r.runId === run.id),
      usage.get(run.id) ?? null,
    ),
  );
}

export async function getRunRecord(db: Kysely<Database>, run: CouncilRun): Promise<RunRecord> {
  const [responses, usage] = await Promise.all([listResponsesOfRuns(db, [run.id]), sumUsageOfRuns(db, [run.id])]);
  return toRunRecord(run, responses, usage.get(run.id) ?? null);
}

function toRunRecord(run: CouncilRun, responses: ResponseRow[], usage: RunUsageTotal | null): RunRecord {
  const ofStage = (stage: ResponseRow['stage']) => responses.filter((r) => r.stage === stage);
  // A stand-in's synthesis sits beside the chairman's failure: the completed row is the answer.
  const synthesisRows = ofStage('stage3');
  // A run stopped while a stand-in wrote shows the stand-in's partial synthesis.
  const chairman =
    synthesisRows.find((r) => r.status === 'completed') ??
    synthesisRows.find((r) => r.error?.code === MODEL_STOPPED) ??
    synthesisRows.find((r) => r.model === run.chairmanModel) ??
    synthesisRows[0];
  const failedChairman =
    chairman !== undefined && chairman.model !== run.chairmanModel
      ? synthesisRows.find((r) => r.model === run.chairmanModel && r.status === 'failed')
      : undefined;
  // Answers in the council's order, whatever order they finished in.
  const order = (model: string) => run.models.indexOf(model);
  const stored = readVerdict(run.verdict);
  const labelToModel = readStored(labelToModelSchema, run.labelToModel);
  const reviews = ofStage('stage2').map((r) => ({
    reviewer: r.model,
    parsedRanking: readStored(parsedRankingSchema, r.parsedRanking) ?? [],
    shownOrder: readReviewDetails(r.reviewDetails).shownOrder,
  }));
  // Runs stored before the verdict was kept get the one the engine derives from their reviews.
  const verdict =
    stored.verdict ??
    (run.aggregate !== null && labelToModel !== null ? verdictFromReviews(reviews, labelToModel) : null);
  return {
    id: run.id,
    status: run.status,
    userMessageId: run.userMessageId,
    provider: run.provider,
    models: run.models,
    chairmanModel: run.chairmanModel,
    mode: run.mode,
    instructions: run.instructions,
    reasoningEffort: run.reasoningEffort,
    webSearch: run.webSearch,
    attempt: run.attempt,
    error: run.error,
    // Imported rows came from a file: what is shown is what its schema accepts.
    labelToModel,
    aggregate: readStored(aggregateSchema, run.aggregate),
    ...stored,
    verdict,
    stage1: ofStage('stage1')
      .sort((a, b) => order(a.model) - order(b.model))
      .map((r) => ({
        model: r.model,
        status: r.status,
        content: r.content,
        error: r.error,
        usage: usageOf(r),
        durationMs: r.durationMs,
        reasoning: r.reasoning,
        sources: readStored(answerSourcesSchema, r.sources) ?? [],
      })),
    stage2: ofStage('stage2')
      .sort((a, b) => order(a.model) - order(b.model))
      .map((r) => ({
        reviewer: r.model,
        status: r.status,
        content: r.content,
        parsedRanking: readStored(parsedRankingSchema, r.parsedRanking) ?? [],
        ...readReviewDetails(r.reviewDetails),
        error: r.error,
        usage: usageOf(r),
        durationMs: r.durationMs,
      })),
    stage3: chairman
      ? {
          model: chairman.model,
          status: chairman.status,
          content: chairman.content,
          error: chairman.error,
          usage: usageOf(chairman),
          durationMs: chairman.durationMs,
          reasoning: chairman.reasoning,
        }
      : null,
    chairmanFailure: failedChairman ? { model: failedChairman.model, error: failedChairman.error } : null,
    title: ofStage('title')[0]?.content ?? null,
    usage,
    createdAt: run.createdAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
  };
}

function usageOf(row: ResponseRow): Usage | null {
  return (row.usage as Usage | null) ?? null;
}
