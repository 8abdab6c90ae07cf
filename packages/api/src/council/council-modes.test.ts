import { startFakeUpstream, type FakeUpstream } from '@llm-council/council/fake-upstream';
import { expect, test } from 'vitest';
import { createUser, newApiKey, saveApiKey } from '../testing/factories.js';
import { followRun } from '../testing/council-callers.js';
import { failureOf } from '../testing/failure-of.js';
import { openTestApi, type Caller, type TestApi } from '../testing/test-api.js';
import { TEST_CHAIRMAN, TEST_COUNCIL, createTestApiConfig } from '../testing/test-config.js';

// Issue 22 §1, modes: `full`, `ranked` (no chairman), `answers` (stage 1 only) through
// council.start, the run record, retry, the budget reservation and export/import — counted on
// the fake upstream's request log. Each test has its own upstream, so its log is the test's alone.

const TITLE_MODEL = 'test/title';

/** A fresh fake upstream and API (the provider URL is in the config), with one user holding a key. */
async function setUp(): Promise<{
  api: TestApi;
  caller: Caller;
  upstream: FakeUpstream;
  userId: string;
  close: () => Promise<void>;
}> {
  const upstream = await startFakeUpstream({ defaultBehavior: { tokenDelayMs: 1 } });
  const config = createTestApiConfig({ providerUrl: upstream.url });
  const api = await openTestApi({ config: { ...config, council: { ...config.council, titleModel: TITLE_MODEL } } });
  const user = await createUser(api.db);
  await saveApiKey(api.db, api.config, user.id, newApiKey());
  const caller = await api.callerFor(user);
  return {
    api,
    caller,
    upstream,
    userId: user.id,
    close: async () => {
      await api.close();
      await upstream.close();
    },
  };
}

test('answers mode with a council of one: one upstream call plus the title, its answer is the conversation’s', async () => {
  const { caller, upstream, close } = await setUp();
  try {
    const { runId, conversationId } = await caller.council.start({
      newConversation: {},
      content: 'Just you, please',
      models: ['test/alpha'],
      mode: 'answers',
    });
    const events = await followRun(caller, runId);
    expect(events[0]?.event).toMatchObject({ type: 'run_started', mode: 'answers', models: ['test/alpha'] });
    expect(events.at(-1)?.event).toEqual({ type: 'run_completed', answerModel: 'test/alpha' });
    expect(upstream.requests.map((r) => r.model).sort()).toEqual(['test/alpha', TITLE_MODEL]);

    const run = await caller.council.get({ runId });
    expect(run).toMatchObject({ status: 'completed', mode: 'answers', stage2: [], stage3: null });
    const conversation = await caller.conversations.get({ id: conversationId });
    expect(conversation.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(conversation.messages[1]?.content).toBe(run.stage1[0]?.content);
  } finally {
    await close();
  }
});

test('regenerating one answer of an answers-mode run stays in answers mode: that model again, no review, no chairman', async () => {
  const { caller, upstream, close } = await setUp();
  try {
    const { runId } = await caller.council.start({
      newConversation: {},
      content: 'Two opinions, no more',
      models: ['test/alpha', 'test/beta'],
      mode: 'answers',
    });
    await followRun(caller, runId);
    const before = upstream.requests.length;

    const regenerated = await caller.council.regenerate({ runId, model: 'test/beta' });
    const events = await followRun(caller, regenerated.runId);
    expect(events[0]?.event).toMatchObject({ type: 'run_started', mode: 'answers' });
    expect(events.at(-1)?.event.type).toBe('run_completed');
    expect(upstream.requests.slice(before).map((r) => r.model)).toEqual(['test/beta']);
    expect(await caller.council.get({ runId: regenerated.runId })).toMatchObject({ mode: 'answers', stage3: null });
  } finally {
    await close();
  }
});

test('ranked mode: answers and reviews, never the chairman; the top-ranked answer stands for the run', async () => {
  const { caller, upstream, close } = await setUp();
  try {
    const { runId, conversationId } = await caller.council.start({
      newConversation: {},
      content: 'Rank yourselves',
      mode: 'ranked',
    });
    const events = await followRun(caller, runId);
    expect(events.at(-1)?.event.type).toBe('run_completed');
    expect(upstream.requests.filter((r) => r.model === TEST_CHAIRMAN)).toHaveLength(0);
    // Three answers, three reviews and the title.
    expect(upstream.requests).toHaveLength(TEST_COUNCIL.length * 2 + 1);

    const run = await caller.council.get({ runId });
    expect(run).toMatchObject({ status: 'completed', mode: 'ranked', stage3: null });
    expect(run.stage2).toHaveLength(TEST_COUNCIL.length);
    const top = run.aggregate?.[0]?.model;
    const conversation = await caller.conversations.get({ id: conversationId });
    expect(conversation.messages[1]?.content).toBe(run.stage1.find((a) => a.model === top)?.content);
  } finally {
    await close();
  }
});

test('a council of one is refused in full and ranked mode, and no model at all in any mode, before anything is stored', async () => {
  const { caller, upstream, close } = await setUp();
  try {
    for (const mode of ['full', 'ranked'] as const) {
      const failure = await failureOf(
        caller.council.start({ newConversation: {}, content: 'Alone', models: ['test/alpha'], mode }),
      );
      expect(failure).toMatchObject({ code: 'BAD_REQUEST', appCode: 'VALIDATION_FAILED' });
      expect(failure.message).toContain(`${mode} mode needs at least 2`);
    }
    const empty = await failureOf(
      caller.council.start({ newConversation: {}, content: 'Nobody', models: [], mode: 'answers' }),
    );
    expect(empty.code).toBe('BAD_REQUEST');
    const bad = await failureOf(
      // @ts-expect-error: an unknown mode, as a client without types could send it
      caller.council.start({ newConversation: {}, content: 'Odd', mode: 'chairman-only' }),
    );
    expect(bad.code).toBe('BAD_REQUEST');
    expect(upstream.requests).toHaveLength(0);
    expect((await caller.conversations.list({})).items).toHaveLength(0);
  } finally {
    await close();
  }
});

test('the budget reservation counts only the calls a mode makes: a cap that refuses a full council admits its answers', async () => {
  const { api, caller, userId, upstream, close } = await setUp();
  try {
    const reserved = async (mode: 'full' | 'ranked' | 'answers', models?: string[]) => {
      const { runId } = await caller.council.start({ newConversation: {}, content: `Cost of ${mode}`, mode, models });
      await followRun(caller, runId);
      const row = await api.db
        .selectFrom('councilRuns')
        .select('reservedTokens')
        .where('id', '=', runId)
        .where('userId', '=', userId)
        .executeTakeFirstOrThrow();
      return row.reservedTokens ?? 0;
    };
    const full = await reserved('full');
    const ranked = await reserved('ranked');
    const answers = await reserved('answers');
    const single = await reserved('answers', ['test/alpha']);
    expect(ranked).toBeLessThan(full);
    expect(answers).toBeLessThan(ranked);
    expect(single).toBeLessThan(answers);

    // A fresh user, nothing spent today: room for the single-model question, not for a full council.
    const frugal = await createUser(api.db);
    await saveApiKey(api.db, api.config, frugal.id, newApiKey());
    const other = await api.callerFor(frugal);
    await other.settings.setDailyBudget({ tokens: single + 10, usd: null });
    const before = upstream.requests.length;
    const refused = await failureOf(other.council.start({ newConversation: {}, content: 'Too dear', mode: 'full' }));
    expect(refused).toMatchObject({ appCode: 'BUDGET_EXCEEDED' });
    expect(upstream.requests.length).toBe(before);
    const { runId } = await other.council.start({
      newConversation: {},
      content: 'Cheap enough',
      mode: 'answers',
      models: ['test/alpha'],
    });
    expect((await followRun(other, runId)).at(-1)?.event.type).toBe('run_completed');
  } finally {
    await close();
  }
});

test('retry of an answers-mode run stays in answers mode and asks only the model that failed', async () => {
  const { caller, upstream, close } = await setUp();
  try {
    upstream.setBehavior('test/beta', { status: 500 });
    upstream.setBehavior('test/alpha', { status: 500 });
    const { runId } = await caller.council.start({
      newConversation: {},
      content: 'Fail first',
      models: ['test/alpha', 'test/beta'],
      mode: 'answers',
    });
    const first = await followRun(caller, runId);
    expect(first.at(-1)?.event).toMatchObject({ type: 'run_failed', stage: 'stage1' });

    upstream.setBehavior('test/alpha', {});
    upstream.setBehavior('test/beta', {});
    upstream.reset();
    await caller.council.retry({ runId });
    const second = await followRun(caller, runId, String(first.length));
    expect(second[0]?.event).toMatchObject({ type: 'run_started', mode: 'answers', attempt: 2 });
    expect(second.at(-1)?.event).toEqual({ type: 'run_completed', answerModel: 'test/alpha' });
    expect(upstream.requests.map((r) => r.model).sort()).toEqual(['test/alpha', 'test/beta']);
    expect(second.some((e) => e.event.type === 'review_completed')).toBe(false);
  } finally {
    await close();
  }
});

test('export and import keep a run’s mode; a file without modes imports as full councils', async () => {
  const { caller, close } = await setUp();
  try {
    const { runId, conversationId } = await caller.council.start({
      newConversation: {},
      content: 'Keep my mode',
      models: ['test/alpha'],
      mode: 'answers',
    });
    await followRun(caller, runId);
    const exported = await caller.conversations.export({ id: conversationId, format: 'json' });
    const document = JSON.parse(exported.content) as {
      conversations: { runs: { mode?: string; instructions?: unknown }[] }[];
    };
    expect(document.conversations[0]?.runs[0]?.mode).toBe('answers');
    const markdown = await caller.conversations.export({ id: conversationId, format: 'markdown' });
    expect(markdown.content).toContain('Answers only — no review or synthesis');

    const [imported] = (await caller.conversations.import({ data: document })).conversationIds;
    const copy = await caller.conversations.get({ id: imported ?? '' });
    expect(copy.runs[0]?.mode).toBe('answers');

    for (const run of document.conversations[0]?.runs ?? []) delete run.mode;
    const [legacy] = (await caller.conversations.import({ data: document })).conversationIds;
    expect((await caller.conversations.get({ id: legacy ?? '' })).runs[0]?.mode).toBe('full');
  } finally {
    await close();
  }
});
