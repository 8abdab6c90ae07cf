import { expect, test } from 'vitest';
import { CHAIRMAN, MODELS, RUN_ID, completeRunEvents, envelopes } from '../testing/council-events';
import { applyRunEvent } from '@llm-council/sdk';
import type { CouncilEvent } from './council-types';
import { createRunState, type RunState } from './run-state';

const fresh = () => createRunState({ runId: RUN_ID, models: [], chairmanModel: '' });
const replay = (events: CouncilEvent[], state: RunState = fresh(), firstSeq = state.lastSeq + 1) =>
  envelopes(events, firstSeq).reduce(applyRunEvent, state);

test('a full event sequence builds the finished run: answers, labels, reviews, aggregate, final answer, title', () => {
  const state = replay(completeRunEvents);

  expect(state.status).toBe('completed');
  expect(state.models).toEqual(MODELS);
  expect(state.phases).toEqual({ stage1: 'done', stage2: 'done', stage3: 'done' });
  expect(state.stage1['openai/gpt-5.1']).toMatchObject({
    status: 'done',
    text: 'Paris is the capital.',
    durationMs: 1200,
  });
  expect(state.stage1['x-ai/grok-4']?.usage?.totalTokens).toBe(16);
  expect(state.labelToModel).toEqual({ 'Response A': 'openai/gpt-5.1', 'Response B': 'x-ai/grok-4' });
  expect(state.stage2['x-ai/grok-4']).toMatchObject({ status: 'done', parsedRanking: ['Response B', 'Response A'] });
  expect(state.aggregate).toHaveLength(2);
  expect(state.stage3).toMatchObject({ model: CHAIRMAN, status: 'done', text: 'The council agrees: **Paris**.' });
  expect(state.title).toBe('Capital of France');
  expect(state.lastSeq).toBe(completeRunEvents.length);
});

test('deltas append to the right model and mark it streaming, leaving the others alone', () => {
  const state = replay(completeRunEvents.slice(0, 5));

  expect(state.status).toBe('running');
  expect(state.stage1['openai/gpt-5.1']).toMatchObject({ status: 'streaming', text: 'Paris is the capital.' });
  expect(state.stage1['x-ai/grok-4']).toMatchObject({ status: 'streaming', text: 'The capital' });
});

test('a stage-3 delta streams into the chairman slot', () => {
  const upToChairman = completeRunEvents.findIndex((e) => e.type === 'model_delta' && e.stage === 'stage3') + 1;
  const state = replay(completeRunEvents.slice(0, upToChairman));

  expect(state.phases.stage3).toBe('running');
  expect(state.stage3).toMatchObject({ status: 'streaming', text: 'The council agrees: ' });
});

test('replayed events (seq at or below the last applied) change nothing, so a resumed stream cannot double text', () => {
  const all = envelopes(completeRunEvents);
  const halfway = all.slice(0, 6).reduce(applyRunEvent, fresh());
  // A reconnect that replays from an older id delivers events 3..end again.
  const resumed = all.slice(2).reduce(applyRunEvent, halfway);
  const straight = all.reduce(applyRunEvent, fresh());

  expect(resumed).toEqual(straight);
  expect(applyRunEvent(straight, all[4] as (typeof all)[number])).toBe(straight);
});

test('events of another run are ignored', () => {
  const state = replay(completeRunEvents.slice(0, 3));
  const foreign = envelopes([{ type: 'run_completed' }], 99, 'another-run')[0];
  expect(foreign && applyRunEvent(state, foreign)).toBe(state);
});

test('a failing model is marked failed with its reason while the run goes on', () => {
  const error = { code: 'UPSTREAM_TIMEOUT', message: 'The model took too long to respond.' };
  const state = replay([
    { type: 'run_started', models: MODELS, chairmanModel: CHAIRMAN, attempt: 1 },
    { type: 'stage_started', stage: 'stage1' },
    { type: 'model_delta', stage: 'stage1', model: 'x-ai/grok-4', text: 'Partial' },
    { type: 'model_failed', stage: 'stage1', model: 'x-ai/grok-4', error },
  ]);

  expect(state.status).toBe('running');
  expect(state.stage1['x-ai/grok-4']).toMatchObject({ status: 'failed', text: 'Partial', error });
  expect(state.stage1['openai/gpt-5.1']?.status).toBe('waiting');
});

test('run_failed records the stage and reason and stops whatever was still in flight', () => {
  const error = { code: 'UPSTREAM_AUTH', message: 'Your API key was rejected by the provider.' };
  const state = replay([
    { type: 'run_started', models: MODELS, chairmanModel: CHAIRMAN, attempt: 1 },
    { type: 'stage_started', stage: 'stage1' },
    { type: 'model_failed', stage: 'stage1', model: 'openai/gpt-5.1', error },
    { type: 'model_delta', stage: 'stage1', model: 'x-ai/grok-4', text: 'Half an answer' },
    { type: 'run_failed', stage: 'stage1', error },
  ]);

  expect(state.status).toBe('failed');
  expect(state.error).toEqual({ ...error, stage: 'stage1' });
  expect(state.phases.stage1).toBe('failed');
  expect(state.stage1['x-ai/grok-4']?.status).toBe('stopped');
  expect(state.stage3.status).toBe('waiting');
});

test('a chairman failure fails stage 3 but keeps stages 1 and 2', () => {
  const beforeChairman = completeRunEvents.findIndex((e) => e.type === 'model_delta' && e.stage === 'stage3');
  const error = { code: 'UPSTREAM_UNAVAILABLE', message: 'The model is unavailable right now.' };
  const state = replay([
    ...completeRunEvents.slice(0, beforeChairman),
    { type: 'model_failed', stage: 'stage3', model: CHAIRMAN, error },
    { type: 'run_failed', stage: 'stage3', error },
  ]);

  expect(state.stage3).toMatchObject({ status: 'failed', error });
  expect(state.phases).toEqual({ stage1: 'done', stage2: 'done', stage3: 'failed' });
  expect(state.aggregate).toHaveLength(2);
});

test('cancellation stops streaming models and keeps finished answers', () => {
  const state = replay([...completeRunEvents.slice(0, 7), { type: 'run_cancelled' }]);

  expect(state.status).toBe('cancelled');
  expect(state.stage1['openai/gpt-5.1']?.status).toBe('done');
  expect(state.stage1['x-ai/grok-4']).toMatchObject({ status: 'stopped', text: 'The capital is Paris.' });
  expect(state.phases.stage1).toBe('stopped');
});

test('a retry attempt starts clean, keeps the title, and replays reused answers as completed', () => {
  const failed = replay([
    ...completeRunEvents.slice(0, 9),
    { type: 'title_completed', title: 'Capitals' },
    { type: 'run_interrupted' },
  ]);
  const retried = replay(
    [
      { type: 'run_started', models: MODELS, chairmanModel: CHAIRMAN, attempt: 2 },
      { type: 'stage_started', stage: 'stage1' },
      {
        type: 'model_completed',
        stage: 'stage1',
        model: 'openai/gpt-5.1',
        content: 'Paris is the capital.',
        usage: null,
        durationMs: 0,
      },
    ],
    failed,
  );

  expect(failed.status).toBe('interrupted');
  expect(retried).toMatchObject({ status: 'running', attempt: 2, title: 'Capitals', error: null });
  expect(retried.stage1['openai/gpt-5.1']?.status).toBe('done');
  expect(retried.stage1['x-ai/grok-4']).toMatchObject({ status: 'waiting', text: '' });
});

test('the reducer never mutates the state it is given', () => {
  const before = replay(completeRunEvents.slice(0, 4));
  const snapshot = structuredClone(before);
  replay(completeRunEvents.slice(4), before);
  expect(before).toEqual(snapshot);
});

test('a failed chairman and a stand-in: the synthesis slot is the stand-in’s, and the failure is kept', () => {
  const upToStage3 = completeRunEvents.findIndex((e) => e.type === 'stage_started' && e.stage === 'stage3') + 1;
  const error = { code: 'UPSTREAM_UNAVAILABLE', message: 'The provider is unavailable' };
  const state = replay([
    ...completeRunEvents.slice(0, upToStage3),
    { type: 'model_failed', stage: 'stage3', model: CHAIRMAN, error },
    { type: 'model_delta', stage: 'stage3', model: 'x-ai/grok-4', text: 'Stand-in ' },
    {
      type: 'model_completed',
      stage: 'stage3',
      model: 'x-ai/grok-4',
      content: 'Stand-in: Paris.',
      usage: null,
      durationMs: 900,
    },
    { type: 'stage_completed', stage: 'stage3' },
    { type: 'run_completed' },
  ]);
  expect(state.status).toBe('completed');
  expect(state.chairmanFailure).toEqual({ model: CHAIRMAN, error });
  expect(state.stage3).toMatchObject({ model: 'x-ai/grok-4', status: 'done', text: 'Stand-in: Paris.' });
  expect(state.phases.stage3).toBe('done');
});
