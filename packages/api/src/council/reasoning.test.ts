import { startFakeUpstream } from '@llm-council/council/fake-upstream';
import { expect, test as base } from 'vitest';
import { followRun, signUpWithKey } from '../testing/council-callers.js';
import { openTestApi } from '../testing/test-api.js';
import { TEST_COUNCIL, createTestApiConfig } from '../testing/test-config.js';

// Issue 22 §3 through the API: a reasoning model's thinking reaches a follower live and again on a
// replay (the event log keeps it), never becomes the stored answer, and its tokens are recorded.

const THOUGHT = 'Weighing both readings of the question before answering it.';

const test = base
  .extend('upstream', { scope: 'file' }, async ({}, { onCleanup }) => {
    const upstream = await startFakeUpstream({ defaultBehavior: { tokenDelayMs: 0 } });
    onCleanup(() => upstream.close());
    return upstream;
  })
  .extend('api', { scope: 'file' }, async ({ upstream }, { onCleanup }) => {
    const api = await openTestApi({ config: createTestApiConfig({ providerUrl: upstream.url }) });
    onCleanup(() => api.close());
    return api;
  });

test('thinking is streamed and replayed from the log, kept out of the answer, and its tokens are recorded', async ({
  api,
  upstream,
}) => {
  const thinker = TEST_COUNCIL[0] ?? '';
  upstream.setBehavior(thinker, { reasoning: THOUGHT, tokenDelayMs: 0 });
  const { caller, conversationId } = await signUpWithKey(api);
  const { runId } = await caller.council.start({ conversationId, content: 'Is a tomato a fruit?' });
  const thoughtsOf = (events: Awaited<ReturnType<typeof followRun>>) =>
    events.flatMap(({ event }) => (event.type === 'model_reasoning' && event.model === thinker ? [event.text] : []));

  const live = await followRun(caller, runId);
  expect(live.at(-1)?.event.type).toBe('run_completed');
  expect(thoughtsOf(live).join('')).toBe(THOUGHT);
  // A second follower (a reload) replays the same thinking from the stored log.
  expect(thoughtsOf(await followRun(caller, runId)).join('')).toBe(THOUGHT);

  const record = await caller.council.get({ runId });
  const answer = record.stage1.find((a) => a.model === thinker);
  expect(answer?.content).not.toContain('Weighing both readings');
  expect(answer?.usage?.reasoningTokens).toBe(THOUGHT.split(' ').length);
  expect(record.stage3?.content).not.toContain('Weighing both readings');
});
