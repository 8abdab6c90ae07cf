import type { RouterOutputs } from '@llm-council/sdk';

/*
 * The council's types as the web app sees them, all derived from the SDK's router types so a
 * server change shows up here as a compile error. Everything council-shaped imports from this
 * file rather than reaching into RouterOutputs itself.
 */

/** One item of `council.events`: tRPC's `tracked(id, envelope)`; `id` resumes the stream. */
export type TrackedCouncilEvent = RouterOutputs['council']['events'] extends AsyncIterable<infer T> ? T : never;
export type CouncilEventEnvelope = TrackedCouncilEvent['data'];
export type CouncilEvent = CouncilEventEnvelope['event'];
/** @public (kept for the council views) */
export type CouncilStage = Extract<CouncilEvent, { type: 'stage_started' }>['stage'];
export type CouncilError = Extract<CouncilEvent, { type: 'run_failed' }>['error'];
export type Usage = NonNullable<Extract<CouncilEvent, { type: 'model_completed' }>['usage']>;
export type AggregateRanking = Extract<CouncilEvent, { type: 'aggregate_ranked' }>['aggregate'][number];
export type Agreement = NonNullable<Extract<CouncilEvent, { type: 'aggregate_ranked' }>['agreement']>;
/** The verdict in plain words (clear winner, close, split, no peer ranking) with its evidence. */
export type Verdict = NonNullable<Extract<CouncilEvent, { type: 'aggregate_ranked' }>['verdict']>;
export type RankingStatus = NonNullable<Extract<CouncilEvent, { type: 'review_completed' }>['rankingStatus']>;

/** A run as stored (`council.get`, and each of `conversations.get`'s `runs`). */
export type RunRecord = RouterOutputs['council']['get'];
export type { RunStatus } from '@llm-council/sdk';

export type Conversation = RouterOutputs['conversations']['get'];
export type Message = Conversation['messages'][number];

export type ModelCatalog = RouterOutputs['council']['models'];
export type CatalogModel = ModelCatalog['models'][number];
