import { MAX_SOURCES_PER_ANSWER } from '@llm-council/council';
import { z } from 'zod';
import { COUNCIL_MAX_MODELS } from '../constants.js';
import { boundedInt, boundedRecord } from '../shared/bounded.js';
import { text } from '../shared/text.js';

/**
 * The shapes of the JSON a run stores beside its text: the label map, the street-cred table
 * (`aggregate`), the verdict and each review's details. The engine writes them; an import brings
 * them from a file, so the import checks them with these schemas (bounded: no NUL, no deep nesting,
 * no 10,000-row table), and every reader — the run view, the export, the Markdown file — reads
 * them back through `readStored`, so a row stored before these checks cannot break a page.
 */

/** More labels than models: a retried run may relabel. */
const MAX_LABELS = COUNCIL_MAX_MODELS * 2;

export const storedLabel = text({ min: 1, max: 50, label: 'Label' });
export const storedModelId = text({ min: 1, max: 200, label: 'Model id' });
const place = boundedInt({ min: 1, max: MAX_LABELS, label: 'Place' });
const count = boundedInt({ min: 0, max: 10_000, label: 'Count' });
const unit = (label: string) =>
  z
    .number({ message: `${label} must be a number` })
    .min(0, `${label} is at least 0`)
    .max(1, `${label} is at most 1`);

export const labelToModelSchema = boundedRecord(storedLabel, storedModelId, MAX_LABELS, 'The label map');

const aggregateRowSchema = z.object({
  model: storedModelId,
  place: place.optional(),
  score: unit('Score').optional(),
  averageRank: z.number().min(0).max(MAX_LABELS),
  votes: count.optional(),
  selfRank: place.nullable().optional(),
  rankingsCount: count,
});
export const aggregateSchema = z.array(aggregateRowSchema).max(MAX_LABELS);

export const agreementSchema = z.object({
  kendallW: unit('Kendall W').nullable(),
  pValue: unit('p-value').nullable(),
  /** Runs stored before the plain-words verdict only. */
  contested: z.boolean().optional(),
});

/** The verdict in plain words (see @llm-council/council's `councilVerdictSchema`). */
export const storedVerdictSchema = z.object({
  kind: z.enum(['clear_winner', 'close', 'split', 'unranked']),
  models: z.array(storedModelId).max(MAX_LABELS),
  firstPlaces: boundedRecord(storedModelId, count, MAX_LABELS, 'First places'),
  peers: count,
  sentence: text({ max: 4_000, label: 'Verdict sentence' }),
});
export const pairwiseWinsSchema = boundedRecord(
  storedModelId,
  boundedRecord(storedModelId, count, MAX_LABELS, 'A row of pairwise wins'),
  MAX_LABELS,
  'Pairwise wins',
);

export const verdictSchema = z.object({
  agreement: agreementSchema.nullable().optional(),
  verdict: storedVerdictSchema.nullable().optional(),
  allVotes: aggregateSchema.nullable().optional(),
  pairwiseWins: pairwiseWinsSchema.nullable().optional(),
});

export const rankingStatuses = ['ok', 'partial', 'ambiguous', 'unreadable', 'truncated'] as const;

export const reviewDetailsSchema = z.object({
  shownOrder: z.array(storedLabel).max(MAX_LABELS).optional(),
  rankingStatus: z.enum(rankingStatuses).nullable().optional(),
  repaired: z.boolean().optional(),
  selfRank: place.nullable().optional(),
  finishReason: text({ max: 50, label: 'Finish reason' }).nullable().optional(),
  repairContent: text({ max: 200_000, label: 'Repair answer' }).optional(),
});

export const MAX_SHOWN_LABELS = MAX_LABELS;
export const parsedRankingSchema = z.array(storedLabel).max(MAX_LABELS);

/** A stored value read through its schema: what it says when it fits, null when it does not. */
export function readStored<S extends z.ZodType>(schema: S, stored: unknown): z.output<S> | null {
  if (stored === null || stored === undefined) return null;
  const parsed = schema.safeParse(stored);
  return parsed.success ? parsed.data : null;
}

/** The pages a stage-1 answer cites (web search): http(s) URLs only, so a client may link them. */
export const answerSourcesSchema = z
  .array(
    z.object({
      url: text({ min: 1, max: 2000, label: 'Source URL' }).regex(/^https?:\/\/\S+$/i, 'A source URL is http(s)'),
      title: text({ max: 300, label: 'Source title' }).nullable(),
    }),
  )
  .max(MAX_SOURCES_PER_ANSWER);
