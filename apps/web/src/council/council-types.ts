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
export type { AggregateRanking, Agreement, RankingStatus, RunRecord } from '@llm-council/sdk';

export type Conversation = RouterOutputs['conversations']['get'];
export type Message = Conversation['messages'][number];

export type ModelCatalog = RouterOutputs['council']['models'];
export type CatalogModel = ModelCatalog['models'][number];
