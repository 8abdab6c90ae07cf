import { expect, test } from 'vitest';
import { createRunState, emptyAnswer, standingAnswer, type AnswerSlot, type RunState } from './run-state.js';

// The answer a run stands on, which the web's final-answer panel, askCouncil, the CLI, the MCP
// tool and the OpenAI endpoint all show: the synthesis, the top-ranked answer or the first answer.

const MODELS = ['m/a', 'm/b', 'm/c'];
const done = (model: string): AnswerSlot => ({ ...emptyAnswer(model), status: 'done', text: `${model} answers.` });
const row = (model: string) => ({ model, averageRank: 1, rankingsCount: 2 });

function runIn(mode: RunState['mode'], answered: string[]): RunState {
  const state = createRunState({ runId: 'run', models: MODELS, chairmanModel: 'm/chair', mode });
  for (const model of answered) state.stage1[model] = done(model);
  return state;
}

test('full: the synthesis, once the chairman has started; nothing before', () => {
  const state = runIn('full', ['m/a', 'm/b']);
  expect(standingAnswer(state)).toBeNull();
  const writing = { ...state, phases: { ...state.phases, stage3: 'running' as const } };
  expect(standingAnswer(writing)).toEqual({ model: 'm/chair', slot: writing.stage3, basis: 'synthesis' });
});

test('ranked: the answer the council ranked first; until the ranking is in, the first answer in council order', () => {
  // m/c and m/b answered, m/a not (yet): council order, not arrival order, picks m/b.
  const state = runIn('ranked', ['m/c', 'm/b']);
  expect(standingAnswer(state)).toMatchObject({ model: 'm/b', basis: 'first_answer', slot: { text: 'm/b answers.' } });
  const ranked = { ...state, aggregate: [row('m/c'), row('m/b')] };
  expect(standingAnswer(ranked)).toMatchObject({ model: 'm/c', basis: 'top_ranked', slot: { text: 'm/c answers.' } });
});

test('answers: the first answer in council order, whatever else is known; no answer yet is null', () => {
  expect(standingAnswer(runIn('answers', []))).toBeNull();
  const state = { ...runIn('answers', ['m/b', 'm/a']), aggregate: [row('m/b')] };
  expect(standingAnswer(state)).toMatchObject({ model: 'm/a', basis: 'first_answer' });
});
