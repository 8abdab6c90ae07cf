import type { RunEvent } from '@llm-council/sdk';
import { expect, test } from 'vitest';
import { CouncilProgress } from './progress.js';

// The progress an MCP client shows counts the steps the run's mode will take, so a ranked or
// answers-only run ends at its total instead of stopping short of it.

const started = (mode: 'full' | 'ranked' | 'answers'): RunEvent => ({
  type: 'run_started',
  models: ['m/a', 'm/b', 'm/c'],
  chairmanModel: 'm/chair',
  attempt: 1,
  mode,
});
const answered = (model: string): RunEvent => ({
  type: 'model_completed',
  stage: 'stage1',
  model,
  content: 'An answer.',
  usage: null,
  durationMs: 10,
});

test.each([
  ['full', 7],
  ['ranked', 6],
  ['answers', 3],
] as const)('a %s run of three models has %i steps', (mode, total) => {
  const progress = new CouncilProgress();
  expect(progress.apply(started(mode))?.total).toBe(total);
});

test('an answers-only run reaches its total when the last model answers', () => {
  const progress = new CouncilProgress();
  progress.apply(started('answers'));
  progress.apply(answered('m/a'));
  progress.apply(answered('m/b'));
  expect(progress.apply(answered('m/c'))).toMatchObject({ progress: 3, total: 3 });
});
