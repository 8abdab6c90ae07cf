import type { CouncilError, ReasoningEffort, Usage } from './events.js';
import { askReviewer, isReadable, type Review, type ReviewOutcome } from './ask-reviewer.js';
import { stageDeadlines, type CouncilMethod } from './council-method.js';
import type { ConversationTurn } from './prompts.js';
import type { RankingStatus } from './ranking/parse-ranking.js';
import { assignLabels, labelFor, presentationOrders } from './ranking/presentation.js';
import { createNonce } from './review-prompts.js';
import type { RunContext } from './run-context.js';
import { gatherWithDeadlines } from './stage-gate.js';
import type { Stage1Result } from './answer-stage.js';

/** A review finished by an earlier attempt; older runs may lack the fields added later. */
export interface PreviousReview {
  content: string;
  parsedRanking: string[];
  usage: Usage | null;
  shownOrder?: string[];
  rankingStatus?: RankingStatus;
  repaired?: boolean;
}

export interface Stage2Input {
  question: string;
  history: ConversationTurn[];
  /** Context window per model from the provider's catalog (null or absent: unknown). */
  contextLengths?: Record<string, number | null>;
  previous?: { reviews?: Record<string, PreviousReview>; labelToModel?: Record<string, string> };
  /** The user's standing instructions, shown to reviewers as context for judging. */
  instructions?: string | null;
  reasoningEffort?: ReasoningEffort | null;
}

export interface Stage2Result {
  labelToModel: Record<string, string>;
  reviews: Review[];
  failures: { model: string; error: CouncilError }[];
  late: string[];
}

/**
 * Stage 2: labels, one reading order per reviewer, the reviews under the stage deadlines. A retry
 * whose answers are unchanged keeps the labels, the orders and every review that completed, so a
 * reviewer is never asked again about answers it already judged.
 */
export async function runStage2(
  run: RunContext,
  input: Stage2Input,
  stage1: Stage1Result,
  method: CouncilMethod,
  random: () => number,
): Promise<Stage2Result> {
  const models = stage1.answers.map((a) => a.model);
  const previous = input.previous;
  const canReuse =
    stage1.isFullyReused && previous?.labelToModel !== undefined && coversExactly(previous.labelToModel, models);
  const labelToModel =
    canReuse && previous?.labelToModel
      ? previous.labelToModel
      : method.biasControls
        ? assignLabels(models, random)
        : Object.fromEntries(models.map((model, i) => [labelFor(i), model]));
  const labels = Object.keys(labelToModel).sort(compareLabels);
  await run.sink.send({ type: 'labels_assigned', labelToModel });
  await run.sink.send({ type: 'stage_started', stage: 'stage2' });

  const contentByModel = new Map(stage1.answers.map((a) => [a.model, a.content]));
  const contentOf = (label: string) => contentByModel.get(labelToModel[label] ?? '') ?? '';
  const orders = method.biasControls
    ? presentationOrders(labels, models, random)
    : Object.fromEntries(models.map((model) => [model, labels]));
  const nonce = createNonce(random);

  const reviews: Review[] = [];
  const asked: string[] = [];
  for (const reviewer of models) {
    const old =
      canReuse && previous?.reviews && Object.hasOwn(previous.reviews, reviewer)
        ? previous.reviews[reviewer]
        : undefined;
    if (!old) {
      asked.push(reviewer);
      continue;
    }
    const review = reusedReview(reviewer, old, labels);
    reviews.push(review);
    await run.sink.send(reviewEvent(review, labelToModel, 0));
  }

  const failures: Stage2Result['failures'] = [];
  const late: string[] = [];
  const outcomes = await run.whileRunning(
    gatherWithDeadlines<ReviewOutcome>({
      ...stageDeadlines(method, models.length),
      models: asked,
      alreadyCounted: reviews.filter((r) => isReadable(r.rankingStatus)).length,
      now: run.now,
      start: (reviewer, signal) =>
        askReviewer(
          run,
          {
            ...input,
            reviewer,
            order: orders[reviewer] ?? labels,
            contentOf,
            nonce,
            signal,
            contextLength: input.contextLengths?.[reviewer] ?? null,
          },
          method,
        ),
      isCounted: (outcome) => outcome.ok && isReadable(outcome.review.rankingStatus),
      onResult: async (reviewer, outcome) => {
        if (outcome.ok) await run.sink.send(reviewEvent(outcome.review, labelToModel, outcome.review.durationMs));
        else await run.sink.send({ type: 'model_failed', stage: 'stage2', model: reviewer, error: outcome.error });
      },
      onLate: async (reviewer, waitedMs) => {
        late.push(reviewer);
        await run.sink.send({ type: 'model_late', stage: 'stage2', model: reviewer, waitedMs });
      },
    }),
  );
  for (const reviewer of asked) {
    const outcome = outcomes.get(reviewer);
    if (outcome?.ok) reviews.push(outcome.review);
    else if (outcome) failures.push({ model: reviewer, error: outcome.error });
  }
  return { labelToModel, reviews, failures, late };
}

/** The reviewer's 1-based rank of its own answer, or null. */
export function selfRankOf(review: Pick<Review, 'reviewer' | 'parsedRanking'>, labelToModel: Record<string, string>) {
  const index = review.parsedRanking.findIndex((label) => labelToModel[label] === review.reviewer);
  return index < 0 ? null : index + 1;
}

function reviewEvent(review: Review, labelToModel: Record<string, string>, durationMs: number) {
  return {
    type: 'review_completed' as const,
    reviewer: review.reviewer,
    content: review.content,
    parsedRanking: review.parsedRanking,
    usage: review.usage,
    durationMs,
    shownOrder: review.shownOrder,
    rankingStatus: review.rankingStatus,
    repaired: review.repaired,
    ...(review.repairContent !== undefined && { repairContent: review.repairContent }),
    selfRank: selfRankOf(review, labelToModel),
    finishReason: review.finishReason,
  };
}

/** A stored review: ones from before statuses were kept count only if their ranking is complete. */
function reusedReview(reviewer: string, old: PreviousReview, labels: string[]): Review {
  const isComplete = old.parsedRanking.length === labels.length && labels.every((l) => old.parsedRanking.includes(l));
  const status = old.rankingStatus ?? (isComplete ? 'ok' : 'unreadable');
  return {
    reviewer,
    content: old.content,
    parsedRanking: isReadable(status) ? old.parsedRanking : [],
    rankingStatus: status,
    shownOrder: old.shownOrder ?? labels,
    repaired: old.repaired ?? false,
    finishReason: null,
    usage: old.usage,
    durationMs: 0,
  };
}

function coversExactly(labelToModel: Record<string, string>, models: string[]): boolean {
  const mapped = Object.values(labelToModel);
  return mapped.length === models.length && models.every((model) => mapped.includes(model));
}

/** 'Response B' before 'Response AA': by length, then alphabetically. */
function compareLabels(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
