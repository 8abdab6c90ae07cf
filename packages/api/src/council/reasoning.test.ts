import { expect } from 'vitest';
import { deleteOldDeltas } from '../maintenance/cleanup.repository.js';
import { councilApiTest, followRun, signUpWithKey } from '../testing/council-callers.js';
import { TEST_COUNCIL } from '../testing/test-config.js';

// Issue 22 §3 through the API: a reasoning model's thinking reaches a follower live and again on a
// replay (the event log keeps it), never becomes the stored answer, and its tokens are recorded.

const THOUGHT = 'Weighing both readings of the question before answering it.';

const test = councilApiTest();

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
  // Kept with the answer, so a reload shows it without the event log…
  expect(answer?.reasoning).toBe(THOUGHT);
  expect(record.stage1.filter((a) => a.model !== thinker).map((a) => a.reasoning)).toEqual(
    TEST_COUNCIL.slice(1).map(() => null),
  );
  expect(record.stage3?.reasoning).toBeNull();
  // …and after the word-by-word history (thinking included) is cleaned up from the database.
  expect(await deleteOldDeltas(api.db, new Date(Date.now() + 60_000))).toBeGreaterThan(0);
  expect((await caller.council.get({ runId })).stage1.find((a) => a.model === thinker)?.reasoning).toBe(THOUGHT);
  const { runs } = await caller.conversations.get({ id: conversationId });
  expect(runs.at(-1)?.stage1.find((a) => a.model === thinker)?.reasoning).toBe(THOUGHT);
});
