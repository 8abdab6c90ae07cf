import { isActiveRunStatus, type RunStatus } from '@llm-council/api/constants';
import type { RunEvent } from './ask.js';
import type { CouncilVerdict, RouterOutputs } from './types.js';

/*
 * A council run as a client shows it, built from its events by `applyRunEvent` (run-reducer.ts).
 * The web client and the CLI both read runs through this one shape. Every council type here is
 * derived from the router's event types, so a server change (a new verdict field, say) flows
 * through without edits here.
 */

type EventOf<T extends RunEvent['type']> = Extract<RunEvent, { type: T }>;
/** How much council: `full` (answers, review, synthesis), `ranked` (no chairman), `answers` (stage 1 only). */
export type CouncilMode = NonNullable<EventOf<'run_started'>['mode']>;
/** A model's or the run's failure: `{ code, message }`. */
export type CouncilError = EventOf<'run_failed'>['error'];
/** Tokens (and cost, when known) of one call. */
export type Usage = NonNullable<EventOf<'model_completed'>['usage']>;
/** A web page an answer cites (web search): `{ url, title }`, http(s) only. */
export type AnswerSource = NonNullable<EventOf<'model_completed'>['sources']>[number];
/** One row of the peer-only "street cred" table, best first. */
export type AggregateRanking = EventOf<'aggregate_ranked'>['aggregate'][number];
/** How far the reviewers' whole rankings agreed (Kendall's W and p), for a details view. */
export type Agreement = NonNullable<EventOf<'aggregate_ranked'>['agreement']>;
/** How a reviewer's ranking was read. */
export type RankingStatus = NonNullable<EventOf<'review_completed'>['rankingStatus']>;
/** A run as stored (`council.get`, and each of `conversations.get`'s `runs`). */
export type RunRecord = RouterOutputs['council']['get'];

/** What one model is doing in one stage, as the progress chips and tabs show it. */
/** `late`: cut off by the stage's deadline and left out of later stages. */
export type SlotStatus = 'waiting' | 'streaming' | 'done' | 'failed' | 'late' | 'stopped';
export type StagePhase = 'pending' | 'running' | 'done' | 'failed' | 'stopped';

export interface AnswerSlot {
  model: string;
  status: SlotStatus;
  /** Streamed text so far; replaced by the authoritative content on completion. */
  text: string;
  /** A reasoning model's thinking as it streamed (live runs only; never sent to reviewers or the chairman). */
  reasoning: string;
  error: CouncilError | null;
  usage: Usage | null;
  durationMs: number | null;
  /** The pages the answer cites, numbered in this order; empty without web search. */
  sources: AnswerSource[];
}

export interface ReviewSlot {
  reviewer: string;
  status: SlotStatus;
  content: string;
  /** Labels best first, e.g. ['Response C', 'Response A']. */
  parsedRanking: string[];
  error: CouncilError | null;
  /** The labels in the order the reviewer read them; empty for runs stored before it was kept. */
  shownOrder: string[];
  /** How the ranking was read; null for runs stored before statuses existed. */
  rankingStatus: RankingStatus | null;
  repaired: boolean;
  /** The reviewer's reply to the one follow-up asking for its ranking line, if it was asked. */
  repairContent: string | null;
  /** The reviewer's rank of its own answer (shown apart, never counted). */
  selfRank: number | null;
}

/** Everything the UI knows about one council run; built only by `applyEvent` / `runFromRecord`. */
export interface RunState {
  runId: string;
  status: RunStatus;
  attempt: number;
  /** Highest event seq applied; replayed events at or below it are ignored. */
  lastSeq: number;
  models: string[];
  chairmanModel: string;
  /** How much council this run is; `full` until its `run_started` says otherwise. */
  mode: CouncilMode;
  phases: Record<'stage1' | 'stage2' | 'stage3', StagePhase>;
  stage1: Record<string, AnswerSlot>;
  labelToModel: Record<string, string>;
  stage2: Record<string, ReviewSlot>;
  /** Peer-only, best first. */
  aggregate: AggregateRanking[];
  /** The verdict in plain words; null until the reviews are aggregated. */
  verdict: CouncilVerdict | null;
  /** Null until measured (and for runs stored before it was). */
  agreement: Agreement | null;
  /** The same ballots with self-votes counted, for comparison; empty when not known. */
  allVotes: AggregateRanking[];
  /** The synthesis: the chairman's, or the stand-in's after the chairman failed. */
  stage3: AnswerSlot;
  /** The chairman's failure when it failed in stage 3 (a stand-in then writes `stage3`); null otherwise. */
  chairmanFailure: { model: string; error: CouncilError | null } | null;
  title: string | null;
  /** Every recorded call of the run summed, as the server stored it; null while live or unknown. */
  usage: RunRecord['usage'];
  /** `stage` is a CouncilStage from events; stored runs carry it as a plain string. */
  error: (CouncilError & { stage?: string }) | null;
}

export function emptyAnswer(model: string): AnswerSlot {
  return { model, status: 'waiting', text: '', reasoning: '', error: null, usage: null, durationMs: null, sources: [] };
}

export function emptyReview(reviewer: string): ReviewSlot {
  return {
    reviewer,
    status: 'waiting',
    content: '',
    parsedRanking: [],
    error: null,
    shownOrder: [],
    rankingStatus: null,
    repaired: false,
    repairContent: null,
    selfRank: null,
  };
}

/** A run that has been started but whose events have not arrived yet. */
export function createRunState(init: {
  runId: string;
  models: string[];
  chairmanModel: string;
  mode?: CouncilMode;
  status?: RunStatus;
  attempt?: number;
}): RunState {
  return {
    runId: init.runId,
    status: init.status ?? 'queued',
    attempt: init.attempt ?? 1,
    lastSeq: 0,
    models: init.models,
    chairmanModel: init.chairmanModel,
    mode: init.mode ?? 'full',
    phases: { stage1: 'pending', stage2: 'pending', stage3: 'pending' },
    stage1: Object.fromEntries(init.models.map((m) => [m, emptyAnswer(m)])),
    labelToModel: {},
    stage2: {},
    aggregate: [],
    verdict: null,
    agreement: null,
    allVotes: [],
    stage3: emptyAnswer(init.chairmanModel),
    chairmanFailure: null,
    title: null,
    usage: null,
    error: null,
  };
}

/** Whether the run may still change (queued or running). */
export function isLive(status: RunStatus): boolean {
  return isActiveRunStatus(status);
}

// In mode `full` the synthesis (chairman or stand-in); `ranked`: the top-ranked answer (the first
// given until ranked); `answers`: the first answer in council order. Every client shows this one.
/** The answer a run stands on and who wrote it; null while none does. */
export function standingAnswer(
  s: RunState,
): { model: string; slot: AnswerSlot; basis: 'synthesis' | 'top_ranked' | 'first_answer' } | null {
  if (s.mode === 'full')
    return s.phases.stage3 === 'pending' ? null : { model: s.stage3.model, slot: s.stage3, basis: 'synthesis' };
  const top = s.mode === 'ranked' ? s.aggregate[0]?.model : undefined;
  const model = top ?? s.models.find((m) => s.stage1[m]?.status === 'done');
  const slot = model === undefined ? undefined : s.stage1[model];
  if (model === undefined || !slot) return null;
  return { model, slot, basis: top === undefined ? 'first_answer' : 'top_ranked' };
}
