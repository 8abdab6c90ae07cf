import { expect, test } from 'vitest';
import { runRecord } from '../testing/conversation-fixtures';
import { runFromRecord } from './run-from-record';

const stopped = { code: 'MODEL_STOPPED', message: 'Stopped before it finished.' };

test('a run stopped while the chairman wrote reads as it did live: the partial synthesis, stopped, stage 3 stopped', () => {
  const record = runRecord({
    status: 'cancelled',
    stage3: {
      model: runRecord().chairmanModel,
      status: 'failed',
      content: 'Final: the cap',
      error: stopped,
      usage: null,
      durationMs: null,
      reasoning: null,
    },
  });
  const state = runFromRecord(record);
  expect(state.stage3).toMatchObject({ status: 'stopped', text: 'Final: the cap' });
  expect(state.phases).toEqual({ stage1: 'done', stage2: 'done', stage3: 'stopped' });
});

test('a run stopped in stage 1 keeps each partial answer, stopped, beside the finished ones', () => {
  const [done] = runRecord().stage1;
  const record = runRecord({
    status: 'cancelled',
    labelToModel: null,
    aggregate: null,
    stage1: [
      done!,
      {
        model: 'x-ai/grok-4',
        status: 'failed',
        content: 'The capital',
        error: stopped,
        usage: null,
        durationMs: null,
        reasoning: null,
        sources: [],
      },
    ],
    stage2: [],
    stage3: null,
  });
  const state = runFromRecord(record);
  expect(state.stage1['x-ai/grok-4']).toMatchObject({ status: 'stopped', text: 'The capital' });
  expect(state.stage1['openai/gpt-5.1']?.status).toBe('done');
  expect(state.phases).toEqual({ stage1: 'stopped', stage2: 'pending', stage3: 'pending' });
});
