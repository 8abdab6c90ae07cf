import { isTrackedEnvelope } from '@trpc/server';
import { councilEventEnvelopeSchema, type CouncilEventEnvelope } from '@llm-council/council';
import { expect } from 'vitest';
import { councilApiTest, signUpWithKey } from '../testing/council-callers.js';
import type { Caller } from '../testing/test-api.js';
import { TEST_CHAIRMAN, TEST_COUNCIL } from '../testing/test-config.js';

// A run stopped mid-stream keeps what its models had streamed, exactly what the user saw live:
// `council.get` (what the web draws after a reload) carries the partial answers, marked stopped.

const [FAST, SLOW, SLOWER] = TEST_COUNCIL as [string, string, string];
const LONG_REPLY = Array.from({ length: 400 }, (_, i) => `word${i}`).join(' ');

const test = councilApiTest({ tokenDelayMs: 1 });

/** Follows the run; once `shouldStop` holds for the events so far, cancels it. Returns every event. */
async function followAndStop(
  caller: Caller,
  runId: string,
  shouldStop: (events: CouncilEventEnvelope[]) => boolean,
): Promise<CouncilEventEnvelope[]> {
  const received: CouncilEventEnvelope[] = [];
  let isStopped = false;
  for await (const item of await caller.council.events({ runId })) {
    received.push(councilEventEnvelopeSchema.parse(isTrackedEnvelope(item) ? item[1] : item));
    if (!isStopped && shouldStop(received)) {
      isStopped = true;
      await caller.council.cancel({ runId });
    }
  }
  return received;
}

/** The text a client following the run had shown for one model when it stopped. */
function streamed(events: CouncilEventEnvelope[], stage: 'stage1' | 'stage3', model: string): string {
  return events
    .map((e) => e.event)
    .filter((e) => e.type === 'model_delta' && e.stage === stage && e.model === model)
    .map((e) => (e.type === 'model_delta' ? e.text : ''))
    .join('');
}

const deltasOf = (events: CouncilEventEnvelope[], stage: string, model: string) =>
  events.filter((e) => e.event.type === 'model_delta' && e.event.stage === stage && e.event.model === model).length;

test('a run stopped in stage 1 keeps each answer as far as it had streamed, marked stopped', async ({
  api,
  upstream,
}) => {
  upstream.setBehavior(SLOW, { tokenDelayMs: 20, text: LONG_REPLY });
  upstream.setBehavior(SLOWER, { hang: true });
  try {
    const { caller, conversationId } = await signUpWithKey(api);
    const { runId } = await caller.council.start({ conversationId, content: 'Stop me halfway' });
    const events = await followAndStop(
      caller,
      runId,
      (seen) =>
        deltasOf(seen, 'stage1', SLOW) >= 3 &&
        seen.some((e) => e.event.type === 'model_completed' && e.event.model === FAST),
    );
    expect(events.at(-1)?.event.type).toBe('run_cancelled');

    const run = await caller.council.get({ runId });
    expect(run.status).toBe('cancelled');
    const slow = run.stage1.find((a) => a.model === SLOW);
    const shown = streamed(events, 'stage1', SLOW);
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.length).toBeLessThan(LONG_REPLY.length);
    expect(slow).toMatchObject({ status: 'failed', content: shown, error: { code: 'MODEL_STOPPED' } });
    expect(run.stage1.find((a) => a.model === FAST)).toMatchObject({ status: 'completed' });
    // A model that had sent nothing leaves no row: it reads as stopped while waiting.
    expect(run.stage1.find((a) => a.model === SLOWER)).toBeUndefined();
    // The partial answer is not a finished one: the conversation has no answer from this run.
    const { messages } = await caller.conversations.get({ id: conversationId });
    expect(messages.filter((m) => m.role === 'assistant')).toEqual([]);
  } finally {
    upstream.reset();
  }
});

test('a run stopped while the chairman writes keeps the partial synthesis, and a retry asks for it again', async ({
  api,
  upstream,
}) => {
  upstream.setBehavior(TEST_CHAIRMAN, { tokenDelayMs: 20, text: LONG_REPLY });
  try {
    const { caller, conversationId } = await signUpWithKey(api);
    const { runId } = await caller.council.start({ conversationId, content: 'Stop the chairman' });
    const events = await followAndStop(caller, runId, (seen) => deltasOf(seen, 'stage3', TEST_CHAIRMAN) >= 3);
    expect(events.at(-1)?.event.type).toBe('run_cancelled');

    const run = await caller.council.get({ runId });
    const shown = streamed(events, 'stage3', TEST_CHAIRMAN);
    expect(shown.length).toBeGreaterThan(0);
    expect(run.stage3).toMatchObject({
      model: TEST_CHAIRMAN,
      status: 'failed',
      content: shown,
      error: { code: 'MODEL_STOPPED' },
    });
    expect(run.chairmanFailure).toBeNull();
    expect(run.stage1.every((a) => a.status === 'completed')).toBe(true);

    upstream.setBehavior(TEST_CHAIRMAN, {});
    await caller.council.retry({ runId });
    for await (const item of await caller.council.events({ runId, lastEventId: String(events.length) })) void item;
    const retried = await caller.council.get({ runId });
    expect(retried.status).toBe('completed');
    expect(retried.stage3).toMatchObject({ status: 'completed', error: null });
    expect(retried.stage3?.content).not.toBe(shown);
  } finally {
    upstream.reset();
  }
});

test('a model stopped while answering keeps what it had thought as well as what it had written', async ({
  api,
  upstream,
}) => {
  const thought = 'First I should recall which city hosts the government.';
  upstream.setBehavior(SLOW, { tokenDelayMs: 20, reasoning: thought, text: LONG_REPLY });
  try {
    const { caller, conversationId } = await signUpWithKey(api);
    const { runId } = await caller.council.start({ conversationId, content: 'Think, then stop' });
    await followAndStop(caller, runId, (seen) => deltasOf(seen, 'stage1', SLOW) >= 3);

    const slow = (await caller.council.get({ runId })).stage1.find((a) => a.model === SLOW);
    expect(slow).toMatchObject({ status: 'failed', error: { code: 'MODEL_STOPPED' }, reasoning: thought });
  } finally {
    upstream.reset();
  }
});
