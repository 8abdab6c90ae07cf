import { expect, test } from 'vitest';
import { CHAIRMAN, MODELS, RUN_ID, completeRunEvents, envelopes } from '../testing/council-events';
import { applyRunEvent } from '@llm-council/sdk';
import type { CouncilEvent } from './council-types';
import { progressChips, progressSummary } from './progress';
import { createRunState } from './run-state';

const stateAfter = (events: CouncilEvent[]) =>
  envelopes(events).reduce(applyRunEvent, createRunState({ runId: RUN_ID, models: MODELS, chairmanModel: CHAIRMAN }));
const chipSummary = (events: CouncilEvent[]) =>
  progressChips(stateAfter(events)).map((c) => `${c.model}:${c.status}:${c.activity}`);
const indexOf = (predicate: (e: CouncilEvent) => boolean) => completeRunEvents.findIndex(predicate);

test('one chip per member plus the chairman, following each through the stages', () => {
  expect(chipSummary(completeRunEvents.slice(0, 2))).toEqual([
    'openai/gpt-5.1:waiting:waiting',
    'x-ai/grok-4:waiting:waiting',
    `${CHAIRMAN}:waiting:waiting`,
  ]);
  expect(chipSummary(completeRunEvents.slice(0, 6))).toEqual([
    'openai/gpt-5.1:done:answered',
    'x-ai/grok-4:streaming:answering',
    `${CHAIRMAN}:waiting:waiting`,
  ]);
  const firstReview = indexOf((e) => e.type === 'review_completed') + 1;
  expect(chipSummary(completeRunEvents.slice(0, firstReview))).toEqual([
    'openai/gpt-5.1:done:reviewed',
    'x-ai/grok-4:streaming:reviewing',
    `${CHAIRMAN}:waiting:waiting`,
  ]);
  const chairmanWriting = indexOf((e) => e.type === 'model_delta' && e.stage === 'stage3') + 1;
  expect(chipSummary(completeRunEvents.slice(0, chairmanWriting)).at(-1)).toBe(`${CHAIRMAN}:streaming:writing`);
  expect(chipSummary(completeRunEvents).at(-1)).toBe(`${CHAIRMAN}:done:done`);
});

test('a failed member shows its reason; a chairman never reached says so', () => {
  const error = { code: 'UPSTREAM_NO_CREDIT', message: 'Your provider account is out of credit.' };
  const state = stateAfter([
    { type: 'run_started', models: MODELS, chairmanModel: CHAIRMAN, attempt: 1 },
    { type: 'stage_started', stage: 'stage1' },
    { type: 'model_failed', stage: 'stage1', model: 'x-ai/grok-4', error },
    { type: 'model_completed', stage: 'stage1', model: 'openai/gpt-5.1', content: 'Hi', usage: null, durationMs: 5 },
    { type: 'run_failed', stage: 'stage1', error },
  ]);
  const chips = progressChips(state);

  expect(chips[1]).toMatchObject({ status: 'failed', activity: 'failed', reason: error.message });
  expect(chips[2]).toMatchObject({ isChairman: true, status: 'skipped', activity: 'not reached' });
  expect(progressSummary(state)).toBe('The run failed: Your provider account is out of credit.');
});

test('the status line names the stage and how far it is', () => {
  expect(progressSummary(stateAfter(completeRunEvents.slice(0, 6)))).toBe(
    'Stage 1 of 3 · collecting answers: 1 of 2 done',
  );
  const firstReview = indexOf((e) => e.type === 'review_completed') + 1;
  expect(progressSummary(stateAfter(completeRunEvents.slice(0, firstReview)))).toBe(
    'Stage 2 of 3 · peer review: 1 of 2 reviews in',
  );
  const chairmanWriting = indexOf((e) => e.type === 'model_delta' && e.stage === 'stage3') + 1;
  expect(progressSummary(stateAfter(completeRunEvents.slice(0, chairmanWriting)))).toBe(
    'Stage 3 of 3 · gemini-3-pro-preview is writing the final answer',
  );
  expect(progressSummary(stateAfter(completeRunEvents))).toBe('The council has answered.');
});
