import type { ModelInfo } from '@llm-council/council';
import { expect } from 'vitest';
import { councilApiTest, followRun, signUpWithKey } from '../testing/council-callers.js';
import { TEST_CHAIRMAN, TEST_COUNCIL } from '../testing/test-config.js';

// Issue 22 §1: reasoning effort is sent as OpenRouter's `reasoning: { effort }` only to models
// that take it. The catalogue says which (`supported_parameters`); a model it lists without
// `reasoning` is asked without it, one it does not describe gets it.

const [THINKER, PLAIN, UNDESCRIBED] = TEST_COUNCIL as [string, string, string];
const entry = (id: string, supportedParameters?: string[]): ModelInfo => ({
  id,
  name: id,
  contextLength: null,
  pricing: null,
  ...(supportedParameters && { supportedParameters }),
});

const test = councilApiTest({
  models: [
    entry(THINKER, ['max_tokens', 'reasoning', 'include_reasoning']),
    entry(PLAIN, ['max_tokens', 'temperature']),
    entry(UNDESCRIBED),
    entry(TEST_CHAIRMAN, ['max_tokens', 'temperature']),
  ],
});

test('effort goes to the models whose catalogue entry takes reasoning, in every stage, and the run keeps it as asked', async ({
  api,
  upstream,
}) => {
  const { caller, conversationId } = await signUpWithKey(api);
  const council = await caller.councils.create({
    name: 'Deep thinkers',
    models: TEST_COUNCIL,
    chairmanModel: TEST_CHAIRMAN,
    mode: 'full',
    instructions: '',
    reasoningEffort: 'high',
    webSearch: false,
  });
  const { runId } = await caller.council.start({
    conversationId,
    content: 'Why is the sky blue?',
    councilId: council.id,
  });
  expect((await followRun(caller, runId)).at(-1)?.event.type).toBe('run_completed');

  const effortByModel = new Map<string, Set<string | undefined>>();
  for (const request of upstream.requests) {
    const seen = effortByModel.get(request.model) ?? new Set<string | undefined>();
    seen.add(request.reasoning?.effort);
    effortByModel.set(request.model, seen);
  }
  expect(effortByModel.get(THINKER)).toEqual(new Set(['high']));
  expect(effortByModel.get(UNDESCRIBED)).toEqual(new Set(['high']));
  expect(effortByModel.get(PLAIN)).toEqual(new Set([undefined]));
  expect(effortByModel.get(TEST_CHAIRMAN)).toEqual(new Set([undefined]));
  // Answers and reviews both went out (each model was asked at least twice).
  expect(upstream.requests.filter((r) => r.model === PLAIN).length).toBeGreaterThanOrEqual(2);
  expect((await caller.council.get({ runId })).reasoningEffort).toBe('high');
});
