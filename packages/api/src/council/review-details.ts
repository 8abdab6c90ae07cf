import type { CouncilEvent } from '@llm-council/council';
import { z } from 'zod';
import {
  aggregateSchema,
  agreementSchema,
  pairwiseWinsSchema,
  rankingStatuses,
  storedVerdictSchema,
  reviewDetailsSchema,
  storedLabel,
  MAX_SHOWN_LABELS,
} from './stored-shapes.js';

/** The error code a late model's row carries (late is not a third row status, to keep the schema). */
export const MODEL_LATE = 'MODEL_LATE';
/** The error code of an answer cut off when its run was stopped; its content is what had streamed. */
export const MODEL_STOPPED = 'MODEL_STOPPED';

type ReviewCompleted = Extract<CouncilEvent, { type: 'review_completed' }>;

/** What a stored review keeps beyond its text and ranking; shown, never queried. */
export function reviewDetailsOf(event: ReviewCompleted): Record<string, unknown> {
  return {
    shownOrder: event.shownOrder ?? [],
    rankingStatus: event.rankingStatus ?? null,
    repaired: event.repaired ?? false,
    selfRank: event.selfRank ?? null,
    finishReason: event.finishReason ?? null,
    ...(event.repairContent !== undefined && { repairContent: event.repairContent }),
  };
}

// Rows stored before these details existed have null; each field falls back on its own.
const reviewDetailsView = z
  .object({
    shownOrder: z.array(storedLabel).max(MAX_SHOWN_LABELS).catch([]),
    rankingStatus: z.enum(rankingStatuses).nullable().catch(null),
    repaired: z.boolean().catch(false),
    selfRank: reviewDetailsSchema.shape.selfRank.unwrap().catch(null),
    repairContent: reviewDetailsSchema.shape.repairContent.catch(undefined),
  })
  .catch({ shownOrder: [], rankingStatus: null, repaired: false, selfRank: null });
export type ReviewDetails = z.infer<typeof reviewDetailsView>;

export function readReviewDetails(stored: unknown): ReviewDetails {
  return reviewDetailsView.parse(stored ?? {});
}

type AggregateRanked = Extract<CouncilEvent, { type: 'aggregate_ranked' }>;

/** What the run keeps of a verdict beside its peer-only table. */
export function verdictOf(event: AggregateRanked): Record<string, unknown> {
  return {
    agreement: event.agreement ?? null,
    verdict: event.verdict ?? null,
    allVotes: event.allVotes ?? null,
    pairwiseWins: event.pairwiseWins ?? null,
  };
}

// Runs stored before these were kept have null, and each part falls back to null on its own.
const verdictView = z
  .object({
    agreement: agreementSchema.nullable().catch(null),
    /** Null for runs stored before it (with `agreement.contested`); run-records derives it then. */
    verdict: storedVerdictSchema.nullable().catch(null),
    allVotes: aggregateSchema.nullable().catch(null),
    pairwiseWins: pairwiseWinsSchema.nullable().catch(null),
  })
  .catch({ agreement: null, verdict: null, allVotes: null, pairwiseWins: null });
export type VerdictView = z.infer<typeof verdictView>;

export function readVerdict(stored: unknown): VerdictView {
  return verdictView.parse(stored ?? {});
}
