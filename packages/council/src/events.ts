import { z } from 'zod';

/**
 * The council run's event stream. Every event is persisted (in order, numbered per run) before it is
 * published, so a subscriber that reconnects with its last event id replays exactly what it missed.
 * Token deltas are coalesced (a few per second per model) to keep the log small.
 */

export const councilStageSchema = z.enum(['stage1', 'stage2', 'stage3', 'title']);
export type CouncilStage = z.infer<typeof councilStageSchema>;

/**
 * How much council a question gets: `full` (answers, peer review, the chairman's synthesis),
 * `ranked` (answers and peer review, no chairman) or `answers` (stage 1 only; a council of one
 * model is a plain chat with it).
 */
export const councilModeSchema = z.enum(['full', 'ranked', 'answers']);
export type CouncilMode = z.infer<typeof councilModeSchema>;

/** OpenRouter's `reasoning: { effort }`; `none` sends nothing. */
export const reasoningEffortSchema = z.enum(['none', 'low', 'medium', 'high']);
export type ReasoningEffort = z.infer<typeof reasoningEffortSchema>;

/** A failure as the user sees it: a stable code and a human sentence, never upstream internals. */
export const councilErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
});
export type CouncilError = z.infer<typeof councilErrorSchema>;

export const usageSchema = z.object({
  promptTokens: z.number().int().nonnegative(),
  completionTokens: z.number().int().nonnegative(),
  totalTokens: z.number().int().nonnegative(),
  /** Cost in USD when the upstream reports it (OpenRouter does), else null. */
  cost: z.number().nonnegative().nullable(),
  /** Of the completion tokens, those spent reasoning (when the provider says). */
  reasoningTokens: z.number().int().nonnegative().optional(),
});
export type Usage = z.infer<typeof usageSchema>;

/** At most this many sources are kept per answer. */
export const MAX_SOURCES_PER_ANSWER = 20;

/**
 * A web page an answer cites (OpenRouter's `url_citation` annotation when web search is on): only
 * http(s) URLs are kept, bounded, so a client can link them safely.
 */
export const answerSourceSchema = z.object({
  url: z
    .string()
    .max(2000)
    .regex(/^https?:\/\/\S+$/i),
  title: z.string().max(300).nullable(),
});
export type AnswerSource = z.infer<typeof answerSourceSchema>;

export const rankingStatusSchema = z.enum(['ok', 'partial', 'ambiguous', 'unreadable', 'truncated']);

/**
 * One row of the peer-only "street cred" table. Fields added with peer-only counting are optional
 * so runs stored before it still parse; clients treat their absence as "not measured".
 */
export const aggregateRankingSchema = z.object({
  model: z.string(),
  /** 1-based; tied models share a place. */
  place: z.number().int().positive().optional(),
  /** Mean normalised Borda points from peers, 0 (always last) to 1 (always first). */
  score: z.number().optional(),
  averageRank: z.number(),
  /** Peer ballots that ranked this model. */
  votes: z.number().int().nonnegative().optional(),
  /** The model's rank of its own answer, shown apart and never counted. */
  selfRank: z.number().int().positive().nullable().optional(),
  rankingsCount: z.number().int(),
});

export const agreementSchema = z.object({
  kendallW: z.number().nullable(),
  pValue: z.number().nullable(),
  /**
   * Runs stored before the plain-words verdict only: the winner changed when any one reviewer was
   * left out, or the agreement was not significant. New runs carry `verdict` instead.
   */
  contested: z.boolean().optional(),
});

/**
 * The verdict in plain words (see ranking/plain-verdict.ts): who the council put first and how
 * firmly, with the evidence in one sentence. Kendall's W stays in `agreement`, for a details view.
 */
export const councilVerdictSchema = z.object({
  kind: z.enum(['clear_winner', 'close', 'split', 'unranked']),
  /** The clear winner or the leader of a split; every model within the margin when close. */
  models: z.array(z.string()),
  /** Peer ballots that put each model first, alone; models never put first are absent. */
  firstPlaces: z.record(z.string(), z.number().int().nonnegative()),
  /** Peer ballots counted. */
  peers: z.number().int().nonnegative(),
  /** The evidence, e.g. "openai/gpt-5.1 ranked first by 3 of 3 peers." */
  sentence: z.string(),
});
export type CouncilVerdict = z.infer<typeof councilVerdictSchema>;
export type Agreement = z.infer<typeof agreementSchema>;
export type AggregateRanking = z.infer<typeof aggregateRankingSchema>;

export const councilEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('run_started'),
    models: z.array(z.string()),
    chairmanModel: z.string(),
    attempt: z.number().int().positive(),
    /** Absent on runs stored before modes: those are `full`. */
    mode: councilModeSchema.optional(),
  }),
  z.object({ type: z.literal('stage_started'), stage: councilStageSchema }),
  z.object({
    type: z.literal('model_delta'),
    stage: z.enum(['stage1', 'stage3']),
    model: z.string(),
    text: z.string(),
  }),
  z.object({
    /** A reasoning model's thinking, streamed before (or beside) its answer; never shown to reviewers or the chairman. */
    type: z.literal('model_reasoning'),
    stage: z.enum(['stage1', 'stage3']),
    model: z.string(),
    text: z.string(),
  }),
  z.object({
    type: z.literal('model_completed'),
    stage: z.enum(['stage1', 'stage3']),
    model: z.string(),
    content: z.string(),
    usage: usageSchema.nullable(),
    durationMs: z.number().int().nonnegative(),
    /** The web pages the answer cites, numbered in this order; absent when there are none. */
    sources: z.array(answerSourceSchema).max(MAX_SOURCES_PER_ANSWER).optional(),
  }),
  z.object({
    type: z.literal('model_failed'),
    stage: councilStageSchema,
    model: z.string(),
    error: councilErrorSchema,
  }),
  z.object({
    type: z.literal('review_completed'),
    reviewer: z.string(),
    content: z.string(),
    /** Labels in ranked order, best first, e.g. ['Response C', 'Response A']; empty when nothing counts. */
    parsedRanking: z.array(z.string()),
    usage: usageSchema.nullable(),
    durationMs: z.number().int().nonnegative(),
    // The fields below are always sent now, but optional: stored events are replayed as they were
    // written, and runs recorded before peer-only counting lack them.
    /** The labels in the order this reviewer read them. */
    shownOrder: z.array(z.string()).optional(),
    rankingStatus: rankingStatusSchema.optional(),
    /** True when the ranking came from the one follow-up asking for the ranking line alone. */
    repaired: z.boolean().optional(),
    /** The follow-up's reply, when one was asked. */
    repairContent: z.string().optional(),
    /** The reviewer's 1-based rank of its own answer (never counted), or null. */
    selfRank: z.number().int().positive().nullable().optional(),
    finishReason: z.string().nullable().optional(),
  }),
  z.object({
    /** The model missed the stage's deadline: left out of this and later stages, never completed. */
    type: z.literal('model_late'),
    stage: z.enum(['stage1', 'stage2']),
    model: z.string(),
    waitedMs: z.number().int().nonnegative(),
  }),
  z.object({
    type: z.literal('stage_completed'),
    stage: councilStageSchema,
  }),
  z.object({
    type: z.literal('labels_assigned'),
    /** e.g. { 'Response A': 'openai/gpt-5.1' }. */
    labelToModel: z.record(z.string(), z.string()),
  }),
  z.object({
    type: z.literal('aggregate_ranked'),
    /** Peer-only, best first. */
    aggregate: z.array(aggregateRankingSchema),
    /** The same ballots with self-votes counted, for comparison. */
    allVotes: z.array(aggregateRankingSchema).optional(),
    agreement: agreementSchema.optional(),
    /** Absent on runs stored before it: clients derive it from the stored reviews. */
    verdict: councilVerdictSchema.optional(),
    /** Peer ballots on which the row model was ranked above the column model. */
    pairwiseWins: z.record(z.string(), z.record(z.string(), z.number().int())).optional(),
  }),
  // usage: optional, so events stored before it was recorded still parse.
  z.object({ type: z.literal('title_completed'), title: z.string(), usage: usageSchema.nullable().optional() }),
  z.object({
    type: z.literal('run_completed'),
    /**
     * Without a chairman (modes `ranked` and `answers`): the stage-1 answer that stands for the run
     * in the conversation (the council's top-ranked, or the first in council order).
     */
    answerModel: z.string().optional(),
  }),
  z.object({ type: z.literal('run_failed'), stage: councilStageSchema, error: councilErrorSchema }),
  z.object({ type: z.literal('run_cancelled') }),
  z.object({ type: z.literal('run_interrupted') }),
]);
export type CouncilEvent = z.infer<typeof councilEventSchema>;
export type CouncilEventType = CouncilEvent['type'];

/** An event as delivered to subscribers: numbered within its run (the resume cursor) and timestamped. */
export const councilEventEnvelopeSchema = z.object({
  runId: z.string().uuid(),
  seq: z.number().int().positive(),
  at: z.string(),
  event: councilEventSchema,
});
export type CouncilEventEnvelope = z.infer<typeof councilEventEnvelopeSchema>;

/** Events after which a run produces nothing more. */
export const terminalEventTypes: ReadonlySet<CouncilEventType> = new Set([
  'run_completed',
  'run_failed',
  'run_cancelled',
  'run_interrupted',
]);
