import { aggregateRankingSchema, agreementSchema, councilVerdictSchema, type CouncilEvent } from '@llm-council/council';
import { z } from 'zod';

/** The error code a late model's row carries (late is not a third row status, to keep the schema). */
export const MODEL_LATE = 'MODEL_LATE';

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
const reviewDetailsSchema = z
  .object({
    shownOrder: z.array(z.string()).catch([]),
    rankingStatus: z.enum(['ok', 'partial', 'ambiguous', 'unreadable', 'truncated']).nullable().catch(null),
    repaired: z.boolean().catch(false),
    selfRank: z.number().int().nullable().catch(null),
    repairContent: z.string().optional().catch(undefined),
  })
  .catch({ shownOrder: [], rankingStatus: null, repaired: false, selfRank: null });
export type ReviewDetails = z.infer<typeof reviewDetailsSchema>;

export function readReviewDetails(stored: unknown): ReviewDetails {
  return reviewDetailsSchema.parse(stored ?? {});
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
const verdictSchema = z
  .object({
    agreement: agreementSchema.nullable().catch(null),
    /** Null for runs stored before it (with `agreement.contested`); run-records derives it then. */
    verdict: councilVerdictSchema.nullable().catch(null),
    allVotes: z.array(aggregateRankingSchema).nullable().catch(null),
    pairwiseWins: z.record(z.string(), z.record(z.string(), z.number())).nullable().catch(null),
  })
  .catch({ agreement: null, verdict: null, allVotes: null, pairwiseWins: null });
export type VerdictView = z.infer<typeof verdictSchema>;

export function readVerdict(stored: unknown): VerdictView {
  return verdictSchema.parse(stored ?? {});
}
