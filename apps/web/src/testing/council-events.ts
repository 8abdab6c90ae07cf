import type { CouncilEvent, CouncilEventEnvelope, TrackedCouncilEvent } from '../council/council-types';

/*
 * A complete council run as the server streams it, for tests and for previewing the run view
 * without a server. Two members, one chairman; the member `x-ai/grok-4` writes its review in the
 * reviewers' usual style (`**Response B**`, a FINAL RANKING list).
 */

export const RUN_ID = '7d1f0a52-6a8e-4f2e-9a51-3c0f5b9b1c11';
export const MODELS = ['openai/gpt-5.1', 'x-ai/grok-4'];
export const CHAIRMAN = 'google/gemini-3-pro-preview';

export const completeRunEvents: CouncilEvent[] = [
  { type: 'run_started', models: MODELS, chairmanModel: CHAIRMAN, attempt: 1 },
  { type: 'stage_started', stage: 'stage1' },
  { type: 'model_delta', stage: 'stage1', model: 'openai/gpt-5.1', text: 'Paris is ' },
  { type: 'model_delta', stage: 'stage1', model: 'x-ai/grok-4', text: 'The capital' },
  { type: 'model_delta', stage: 'stage1', model: 'openai/gpt-5.1', text: 'the capital.' },
  {
    type: 'model_completed',
    stage: 'stage1',
    model: 'openai/gpt-5.1',
    content: 'Paris is the capital.',
    usage: null,
    durationMs: 1200,
  },
  { type: 'model_delta', stage: 'stage1', model: 'x-ai/grok-4', text: ' is Paris.' },
  {
    type: 'model_completed',
    stage: 'stage1',
    model: 'x-ai/grok-4',
    content: 'The capital is Paris.',
    usage: { promptTokens: 10, completionTokens: 6, totalTokens: 16, cost: 0.0004 },
    durationMs: 1500,
  },
  { type: 'stage_completed', stage: 'stage1' },
  { type: 'labels_assigned', labelToModel: { 'Response A': 'openai/gpt-5.1', 'Response B': 'x-ai/grok-4' } },
  { type: 'stage_started', stage: 'stage2' },
  {
    type: 'review_completed',
    reviewer: 'openai/gpt-5.1',
    content: 'Response A is concise. Response B agrees.\n\nFINAL RANKING:\n1. Response A\n2. Response B',
    parsedRanking: ['Response A', 'Response B'],
    usage: null,
    durationMs: 900,
  },
  {
    type: 'review_completed',
    reviewer: 'x-ai/grok-4',
    content: '**Response B** is clearer than Response A.\n\nFINAL RANKING:\n1. Response B\n2. Response A',
    parsedRanking: ['Response B', 'Response A'],
    usage: null,
    durationMs: 800,
  },
  {
    type: 'aggregate_ranked',
    aggregate: [
      { model: 'openai/gpt-5.1', averageRank: 1.5, rankingsCount: 2 },
      { model: 'x-ai/grok-4', averageRank: 1.5, rankingsCount: 2 },
    ],
  },
  { type: 'stage_completed', stage: 'stage2' },
  { type: 'stage_started', stage: 'stage3' },
  { type: 'model_delta', stage: 'stage3', model: CHAIRMAN, text: 'The council agrees: ' },
  { type: 'model_delta', stage: 'stage3', model: CHAIRMAN, text: '**Paris**.' },
  {
    type: 'model_completed',
    stage: 'stage3',
    model: CHAIRMAN,
    content: 'The council agrees: **Paris**.',
    usage: null,
    durationMs: 700,
  },
  { type: 'stage_completed', stage: 'stage3' },
  { type: 'title_completed', title: 'Capital of France' },
  { type: 'run_completed' },
];

/** Numbers events from `firstSeq`, as the server's event log does. */
export function envelopes(events: CouncilEvent[], firstSeq = 1, runId = RUN_ID): CouncilEventEnvelope[] {
  return events.map((event, index) => ({
    runId,
    seq: firstSeq + index,
    at: new Date(Date.UTC(2025, 10, 26, 12, 0, firstSeq + index)).toISOString(),
    event,
  }));
}

/** Envelopes as the tRPC subscription delivers them (`tracked(id, data)`). */
export function trackedEvents(events: CouncilEvent[], firstSeq = 1, runId = RUN_ID): TrackedCouncilEvent[] {
  return envelopes(events, firstSeq, runId).map((data) => ({ id: String(data.seq), data }));
}
