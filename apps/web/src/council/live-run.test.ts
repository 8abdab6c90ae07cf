import { applyRunEvent } from '@llm-council/sdk';
import { createEffect, createRoot } from 'solid-js';
import { createStore, unwrap } from 'solid-js/store';
import { expect, test } from 'vitest';
import { CHAIRMAN, RUN_ID, completeRunEvents, envelopes } from '../testing/council-events';
import type { CouncilEvent } from './council-types';
import { applyToRunStore } from './live-run';
import { createRunState } from './run-state';

const fresh = () => createRunState({ runId: RUN_ID, models: [], chairmanModel: '' });

// A run with thinking, a chairman that fails and a stand-in that writes the synthesis instead.
const eventfulRun: CouncilEvent[] = [
  ...completeRunEvents.slice(0, 2),
  { type: 'model_reasoning', stage: 'stage1', model: 'x-ai/grok-4', text: 'Thinking…' },
  ...completeRunEvents.slice(2, 6),
  // Thinking that arrives after its answer finished leaves the answer finished.
  { type: 'model_reasoning', stage: 'stage1', model: 'openai/gpt-5.1', text: ' (late)' },
  ...completeRunEvents.slice(6, -4),
  { type: 'model_reasoning', stage: 'stage3', model: CHAIRMAN, text: 'Weighing' },
  { type: 'model_delta', stage: 'stage3', model: CHAIRMAN, text: 'The coun' },
  { type: 'model_failed', stage: 'stage3', model: CHAIRMAN, error: { code: 'UPSTREAM_ERROR', message: 'down' } },
  { type: 'model_delta', stage: 'stage3', model: 'openai/gpt-5.1', text: 'Paris.' },
  { type: 'run_completed' },
];

test.each([
  ['a complete run', completeRunEvents],
  ['a run with thinking and a stand-in chairman', eventfulRun],
])('the live store ends each event where the SDK reducer does: %s', (_, events) => {
  const [state, setState] = createStore(fresh());
  let expected = fresh();
  for (const envelope of envelopes(events)) {
    expected = applyRunEvent(expected, envelope);
    expect(applyToRunStore(state, setState, envelope)).toBe(true);
    expect(structuredClone(unwrap(state))).toEqual(expected);
  }
});

test('an event replayed after a reconnect, or for another run, changes nothing', () => {
  const [state, setState] = createStore(fresh());
  const [first] = envelopes(completeRunEvents.slice(0, 3));
  for (const envelope of envelopes(completeRunEvents.slice(0, 3))) applyToRunStore(state, setState, envelope);
  const before = structuredClone(unwrap(state));

  expect(applyToRunStore(state, setState, first!)).toBe(false);
  expect(applyToRunStore(state, setState, { ...first!, runId: 'another-run', seq: 99 })).toBe(false);
  expect(unwrap(state)).toEqual(before);
});

test('a delta for one model re-runs only what reads that model’s answer', () => {
  const [state, setState] = createStore(fresh());
  const [started, stage1, firstDelta, ...rest] = envelopes(completeRunEvents.slice(0, 4));
  for (const envelope of [started!, stage1!, firstDelta!]) applyToRunStore(state, setState, envelope);
  const reads = { gpt: 0, grok: 0, phases: 0 };
  const dispose = createRoot((dispose) => {
    createEffect(() => (state.stage1['openai/gpt-5.1']?.text, reads.gpt++));
    createEffect(() => (state.stage1['x-ai/grok-4']?.text, reads.grok++));
    createEffect(() => (state.phases.stage1, reads.phases++));
    return dispose;
  });
  expect(reads).toEqual({ gpt: 1, grok: 1, phases: 1 });

  // completeRunEvents[3]: the first words of x-ai/grok-4.
  for (const envelope of rest) applyToRunStore(state, setState, envelope);
  expect(state.stage1['x-ai/grok-4']?.text).toBe('The capital');
  expect(reads).toEqual({ gpt: 1, grok: 2, phases: 1 });
  dispose();
});
