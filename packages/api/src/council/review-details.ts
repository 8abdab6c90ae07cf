import type { CouncilEvent } from '@llm-council/council';
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

const agreementSchema = z.object({
  kendallW: z.number().nullable(),
  pValue: z.number().nullable(),
  contested: z.boolean(),
});
export type AgreementView = z.infer<typeof agreementSchema>;

export function readAgreement(stored: unknown): AgreementView | null {
  const parsed = agreementSchema.safeParse(stored);
  return parsed.success ? parsed.data : null;
}
