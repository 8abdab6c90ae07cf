import type { FakeUpstream } from '@llm-council/council/fake-upstream';
import { expect } from 'vitest';
import { councilApiTest, followRun, signUpWithKey } from '../testing/council-callers.js';
import { failureOf } from '../testing/failure-of.js';
import { TEST_CHAIRMAN, TEST_COUNCIL } from '../testing/test-config.js';

// The council router through createCaller, against the fake upstream on loopback: start, follow,
// resume, cancel, retry and the daily budget, without HTTP (apps/server/test keeps what needs it:
// SSE pings and maximum duration, headers, several hosts, crashes, the CLI).

const TITLE_MODEL = 'test/title';

const test = councilApiTest({
  tokenDelayMs: 1,
  tune: (config) => ({ ...config, council: { ...config.council, titleModel: TITLE_MODEL } }),
});

async function waitUntil(predicate: () => boolean, what: string): Promise<void> {
  for (let i = 0; !predicate(); i++) {
    if (i > 2_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function chatRequests(upstream: FakeUpstream, model: string): number {
  return upstream.requests.filter((request) => request.model === model).length;
}

test('start, then events: the whole run, numbered 1…n without a gap, stored as the conversation’s answer', async ({
  api,
}) => {
  const { caller, conversationId } = await signUpWithKey(api);
  const { runId } = await caller.council.start({ conversationId, content: 'Why is the sky blue?' });
  const events = await followRun(caller, runId);
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  const types = events.map((e) => e.event.type);
  expect(types[0]).toBe('run_started');
  expect(types.at(-1)).toBe('run_completed');
  expect(types.filter((t) => t === 'review_completed')).toHaveLength(TEST_COUNCIL.length);
  expect(types).toContain('aggregate_ranked');

  const run = await caller.council.get({ runId });
  expect(run.status).toBe('completed');
  const final = events.find((e) => e.event.type === 'model_completed' && e.event.stage === 'stage3');
  const conversation = await caller.conversations.get({ id: conversationId });
  expect(conversation.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
  expect(final?.event.type === 'model_completed' && final.event.content).toBe(conversation.messages[1]?.content);
});

test('events resumed from a last event id give exactly the events after it, none twice', async ({ api }) => {
  const { caller, conversationId } = await signUpWithKey(api);
  const { runId } = await caller.council.start({ conversationId, content: 'Resume me' });
  const all = await followRun(caller, runId);
  const cut = Math.floor(all.length / 2);
  const rest = await followRun(caller, runId, String(cut));
  expect(rest.map((e) => e.seq)).toEqual(all.slice(cut).map((e) => e.seq));
  expect(await followRun(caller, runId, String(all.length))).toEqual([]);
});

test('cancel ends a running run: every upstream request is closed and the stream ends with run_cancelled', async ({
  api,
  upstream,
}) => {
  for (const model of TEST_COUNCIL) upstream.setBehavior(model, { hang: true });
  try {
    const { caller, conversationId } = await signUpWithKey(api);
    const { runId } = await caller.council.start({ conversationId, content: 'Hang on' });
    await waitUntil(() => upstream.openRequests >= TEST_COUNCIL.length, 'the council’s requests to open');
    const following = followRun(caller, runId);
    await caller.council.cancel({ runId });
    const events = await following;
    expect(events.at(-1)?.event.type).toBe('run_cancelled');
    expect((await caller.council.get({ runId })).status).toBe('cancelled');
    await waitUntil(() => upstream.openRequests === 0, 'every upstream request to close');
  } finally {
    upstream.reset();
  }
});

test('retry after a failed chairman finishes the run reusing every stage-1 answer and review', async ({
  api,
  upstream,
}) => {
  // The chairman fails, and so does the member standing in for it: stage 3 fails.
  upstream.setBehavior(TEST_CHAIRMAN, { status: 500 });
  for (const model of TEST_COUNCIL) upstream.setBehavior(model, { tokenDelayMs: 1, synthesisStatus: 500 });
  try {
    const { caller, conversationId } = await signUpWithKey(api);
    const { runId } = await caller.council.start({ conversationId, content: 'Fail, then finish' });
    const first = await followRun(caller, runId);
    expect(first.at(-1)?.event.type).toBe('run_failed');
    expect((await caller.council.get({ runId })).status).toBe('failed');
    const councilCalls = TEST_COUNCIL.map((model) => chatRequests(upstream, model));

    upstream.setBehavior(TEST_CHAIRMAN, {});
    await caller.council.retry({ runId });
    const second = await followRun(caller, runId, String(first.length));
    expect(second.at(-1)?.event.type).toBe('run_completed');
    expect(second[0]?.seq).toBe(first.length + 1);
    expect(TEST_COUNCIL.map((model) => chatRequests(upstream, model))).toEqual(councilCalls);
    expect((await caller.council.get({ runId })).status).toBe('completed');
  } finally {
    upstream.reset();
  }
});

test('a failed chairman: the best-placed member writes the synthesis, and the record says who stood in and why', async ({
  api,
  upstream,
}) => {
  upstream.setBehavior(TEST_CHAIRMAN, { status: 500 });
  try {
    const { caller, conversationId } = await signUpWithKey(api);
    const { runId } = await caller.council.start({ conversationId, content: 'Who writes it?' });
    const events = await followRun(caller, runId);
    expect(events.at(-1)?.event.type).toBe('run_completed');

    const run = await caller.council.get({ runId });
    const best = run.aggregate?.[0]?.model;
    expect(TEST_COUNCIL).toContain(best);
    expect(run.status).toBe('completed');
    expect(run.stage3).toMatchObject({ model: best, status: 'completed' });
    expect(run.chairmanFailure).toMatchObject({ model: TEST_CHAIRMAN, error: { code: 'UPSTREAM_UNAVAILABLE' } });
    const conversation = await caller.conversations.get({ id: conversationId });
    expect(conversation.messages.at(-1)?.content).toBe(run.stage3?.content);
    // A run whose chairman answered names no failure.
    upstream.setBehavior(TEST_CHAIRMAN, {});
    const { runId: healthy } = await caller.council.start({ conversationId, content: 'And now?' });
    await followRun(caller, healthy);
    expect(await caller.council.get({ runId: healthy })).toMatchObject({
      chairmanFailure: null,
      stage3: { model: TEST_CHAIRMAN },
    });
  } finally {
    upstream.reset();
  }
});

test('with the user’s own daily token cap reserved by a live run, parallel starts are BUDGET_EXCEEDED before anything is stored or sent', async ({
  api,
  upstream,
}) => {
  for (const model of TEST_COUNCIL) upstream.setBehavior(model, { hang: true });
  try {
    const { caller, conversationId } = await signUpWithKey(api);
    // A start reserves every call's estimated prompt plus its longest answer (~94,000 tokens for a
    // first question to this council): the cap admits one such run, not a second beside it.
    await caller.settings.setDailyBudget({ tokens: 150_000, usd: null });
    const { runId } = await caller.council.start({ conversationId, content: 'The one admitted' });
    await waitUntil(() => upstream.openRequests >= TEST_COUNCIL.length, 'the admitted run’s requests');
    const requestsBefore = upstream.requests.length;
    const failures = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        failureOf(caller.council.start({ conversationId, content: `Too dear ${i}` })),
      ),
    );
    for (const failure of failures) {
      expect(failure).toMatchObject({ code: 'TOO_MANY_REQUESTS', appCode: 'BUDGET_EXCEEDED' });
      expect(failure.retryAfterSeconds).toBeGreaterThan(0);
    }
    expect(upstream.requests.length).toBe(requestsBefore);
    const questions = (await caller.conversations.get({ id: conversationId })).messages.filter(
      (m) => m.role === 'user',
    );
    expect(questions.map((m) => m.content)).toEqual(['The one admitted']);
    await caller.council.cancel({ runId });
  } finally {
    upstream.reset();
  }
});
