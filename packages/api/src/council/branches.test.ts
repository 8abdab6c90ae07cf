import type { FakeUpstream } from '@llm-council/council/fake-upstream';
import { expect } from 'vitest';
import { councilApiTest, followRun, signUpWithKey } from '../testing/council-callers.js';
import { failureOf } from '../testing/failure-of.js';
import type { Caller } from '../testing/test-api.js';
import { TEST_CHAIRMAN, TEST_COUNCIL } from '../testing/test-config.js';

// Issue 19 §3, edit and re-ask: an edited question is a new branch from that point, the old
// turn and its run stay, the models only ever see the branch the run is on, and only the
// owner may edit or switch (docs/security.md cases 97 and 98).

const test = councilApiTest();

/** Follows a run to its end; returns its final event's type. */
async function finish(caller: Caller, runId: string): Promise<string | undefined> {
  return (await followRun(caller, runId)).at(-1)?.event.type;
}

/** Everything the upstream was sent while `act` ran, as one string per request. */
async function promptsDuring(upstream: FakeUpstream, act: () => Promise<void>): Promise<string[]> {
  const from = upstream.requests.length;
  await act();
  return upstream.requests.slice(from).map((r) => JSON.stringify(r.messages));
}

async function ask(caller: Caller, conversationId: string, content: string): Promise<string> {
  const { runId, messageId } = await caller.council.start({ conversationId, content });
  expect(await finish(caller, runId)).toBe('run_completed');
  return messageId;
}

test('council.edit starts a new branch: the old turn and its run stay, the models see only the new branch', async ({
  api,
  upstream,
}) => {
  const { caller, conversationId } = await signUpWithKey(api);
  const first = await ask(caller, conversationId, 'First question about tides');
  const original = await ask(caller, conversationId, 'Original second question about moons');
  const before = await caller.conversations.get({ id: conversationId });
  const originalRun = before.runs.find((r) => r.userMessageId === original);

  let edit = { runId: '', messageId: '' };
  const prompts = await promptsDuring(upstream, async () => {
    edit = await caller.council.edit({ messageId: original, content: 'Edited second question about comets' });
    expect(await finish(caller, edit.runId)).toBe('run_completed');
  });
  // The edited run's history is the first turn only: never the question it replaces.
  expect(prompts.some((p) => p.includes('First question about tides'))).toBe(true);
  expect(prompts.some((p) => p.includes('Edited second question about comets'))).toBe(true);
  expect(prompts.some((p) => p.includes('Original second question about moons'))).toBe(false);

  const after = await caller.conversations.get({ id: conversationId });
  const questions = after.messages.filter((m) => m.role === 'user');
  expect(questions.map((q) => q.content)).toEqual([
    'First question about tides',
    'Edited second question about comets',
  ]);
  expect(after.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
  expect(questions[0]?.versionIds).toEqual([first]);
  expect(questions[1]?.versionIds).toEqual([original, edit.messageId]);
  expect(after.runs.map((r) => r.userMessageId)).toEqual([first, edit.messageId]);
  // The old run is untouched, still readable by its id.
  expect(originalRun?.status).toBe('completed');
  const old = await caller.council.get({ runId: originalRun?.id ?? '' });
  expect(old.status).toBe('completed');
  expect(old.stage3?.content).toBe(originalRun?.stage3?.content);
});

test('conversations.showVersion switches branches, and a follow-up asked there sends that branch’s history only', async ({
  api,
  upstream,
}) => {
  const { caller, conversationId } = await signUpWithKey(api);
  await ask(caller, conversationId, 'Root question on rivers');
  const original = await ask(caller, conversationId, 'Branch A question on deltas');
  const edit = await caller.council.edit({ messageId: original, content: 'Branch B question on estuaries' });
  await finish(caller, edit.runId);
  const followUpB = await ask(caller, conversationId, 'Follow-up on branch B');

  // Back to the first version: the branch below it is shown, without B's follow-up.
  const shownA = await caller.conversations.showVersion({ messageId: original });
  expect(shownA.messages.filter((m) => m.role === 'user').map((m) => m.content)).toEqual([
    'Root question on rivers',
    'Branch A question on deltas',
  ]);
  expect((await caller.conversations.get({ id: conversationId })).messages.map((m) => m.id)).toEqual(
    shownA.messages.map((m) => m.id),
  );

  // A follow-up on branch A sends A's turns, never B's.
  const prompts = await promptsDuring(upstream, async () => {
    await ask(caller, conversationId, 'Follow-up on branch A');
  });
  expect(prompts.some((p) => p.includes('Branch A question on deltas'))).toBe(true);
  expect(prompts.some((p) => p.includes('Branch B question on estuaries') || p.includes('Follow-up on branch B'))).toBe(
    false,
  );

  // Showing version 2 lands on the newest question asked on its branch.
  const shownB = await caller.conversations.showVersion({ messageId: edit.messageId });
  expect(shownB.messages.filter((m) => m.role === 'user').map((m) => m.id)).toContain(followUpB);
  expect(shownB.messages.at(-1)?.role).toBe('assistant');
});

test('editing the first question starts a branch with no history', async ({ api, upstream }) => {
  const { caller, conversationId } = await signUpWithKey(api);
  const first = await ask(caller, conversationId, 'Opening question on volcanoes');
  await ask(caller, conversationId, 'Second question on lava');
  let edit = { runId: '', messageId: '' };
  const prompts = await promptsDuring(upstream, async () => {
    edit = await caller.council.edit({ messageId: first, content: 'Opening question on glaciers' });
    await finish(caller, edit.runId);
  });
  expect(prompts.some((p) => p.includes('volcanoes') || p.includes('lava'))).toBe(false);
  const shown = await caller.conversations.get({ id: conversationId });
  expect(shown.messages.filter((m) => m.role === 'user').map((m) => m.versionIds)).toEqual([[first, edit.messageId]]);
});

test('another user cannot edit a question or switch its versions, and an answer is not a version', async ({ api }) => {
  const owner = await signUpWithKey(api);
  const question = await ask(owner.caller, owner.conversationId, 'Private question');
  const intruder = await signUpWithKey(api);

  const edit = await failureOf(intruder.caller.council.edit({ messageId: question, content: 'Hijacked' }));
  expect(edit).toMatchObject({ code: 'NOT_FOUND' });
  const show = await failureOf(intruder.caller.conversations.showVersion({ messageId: question }));
  expect(show).toMatchObject({ code: 'NOT_FOUND' });

  const { messages } = await owner.caller.conversations.get({ id: owner.conversationId });
  const answer = messages.find((m) => m.role === 'assistant');
  expect(await failureOf(owner.caller.conversations.showVersion({ messageId: answer?.id ?? '' }))).toMatchObject({
    code: 'NOT_FOUND',
  });
  expect(await failureOf(owner.caller.council.edit({ messageId: question, content: '   ' }))).toMatchObject({
    code: 'BAD_REQUEST',
  });
  // Nothing changed for the owner: one question, one version.
  const after = await owner.caller.conversations.get({ id: owner.conversationId });
  expect(after.messages.map((m) => m.content).filter((c) => c === 'Hijacked')).toEqual([]);
  expect(after.messages[0]?.versionIds).toEqual([question]);
});

function requestsPerModel(upstream: FakeUpstream, from: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of upstream.requests.slice(from)) counts[r.model] = (counts[r.model] ?? 0) + 1;
  return counts;
}

test('council.regenerate: a new synthesis over the same answers and reviews, as a new version of the turn', async ({
  api,
  upstream,
}) => {
  const { caller, conversationId } = await signUpWithKey(api);
  const question = await ask(caller, conversationId, 'Regenerate me');
  const [original] = (await caller.conversations.get({ id: conversationId })).runs;
  if (!original) throw new Error('no run');

  const from = upstream.requests.length;
  const again = await caller.council.regenerate({ runId: original.id });
  expect(await finish(caller, again.runId)).toBe('run_completed');
  // Only the chairman was asked: every answer and review came from the first run.
  expect(requestsPerModel(upstream, from)).toEqual({ [TEST_CHAIRMAN]: 1 });

  const shown = await caller.conversations.get({ id: conversationId });
  expect(shown.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
  expect(shown.messages[0]).toMatchObject({ content: 'Regenerate me', versionIds: [question, again.messageId] });
  const [regenerated] = shown.runs;
  expect(regenerated?.id).toBe(again.runId);
  expect(regenerated?.stage1.map((a) => a.content)).toEqual(original.stage1.map((a) => a.content));
  expect(regenerated?.stage2.map((r) => r.content)).toEqual(original.stage2.map((r) => r.content));
  expect(regenerated?.labelToModel).toEqual(original.labelToModel);
  expect(regenerated?.stage3?.status).toBe('completed');
  // Reused answers and reviews are not paid twice: the new run's spend is the chairman's call alone.
  expect(regenerated?.stage3?.usage?.totalTokens).toBeGreaterThan(0);
  expect(regenerated?.usage?.totalTokens).toBe(regenerated?.stage3?.usage?.totalTokens);

  // The first version is one switch away, with its own synthesis.
  const back = await caller.conversations.showVersion({ messageId: question });
  expect(back.runs.map((r) => r.id)).toEqual([original.id]);
  expect(back.messages[1]?.content).toBe(original.stage3?.content);
});

test('council.regenerate with a model: that model answers again, then every review and the synthesis', async ({
  api,
  upstream,
}) => {
  const { caller, conversationId } = await signUpWithKey(api);
  await ask(caller, conversationId, 'Regenerate one answer');
  const [original] = (await caller.conversations.get({ id: conversationId })).runs;
  if (!original) throw new Error('no run');
  const [redone, ...others] = TEST_COUNCIL as [string, ...string[]];

  const from = upstream.requests.length;
  const again = await caller.council.regenerate({ runId: original.id, model: redone });
  expect(await finish(caller, again.runId)).toBe('run_completed');
  // The model answers and reviews; the others only review; the chairman synthesises.
  expect(requestsPerModel(upstream, from)).toEqual({
    [redone]: 2,
    ...Object.fromEntries(others.map((m) => [m, 1])),
    [TEST_CHAIRMAN]: 1,
  });
  const run = await caller.council.get({ runId: again.runId });
  for (const model of others) {
    expect(run.stage1.find((a) => a.model === model)?.content).toBe(
      original.stage1.find((a) => a.model === model)?.content,
    );
  }
  expect(run.stage2).toHaveLength(TEST_COUNCIL.length);
});

test('council.regenerate is admitted as a start is, and only for the owner’s finished runs', async ({
  api,
  upstream,
}) => {
  const owner = await signUpWithKey(api);
  const question = await ask(owner.caller, owner.conversationId, 'Only mine');
  const [run] = (await owner.caller.conversations.get({ id: owner.conversationId })).runs;
  if (!run) throw new Error('no run');
  const intruder = await signUpWithKey(api);
  const from = upstream.requests.length;

  expect(await failureOf(intruder.caller.council.regenerate({ runId: run.id }))).toMatchObject({ code: 'NOT_FOUND' });
  expect(await failureOf(owner.caller.council.regenerate({ runId: run.id, model: 'test/other' }))).toMatchObject({
    code: 'BAD_REQUEST',
  });
  // The budget check of a start: the day's cap already spent refuses it before anything is written or sent.
  await owner.caller.settings.setDailyBudget({ tokens: 1_000, usd: null });
  expect(await failureOf(owner.caller.council.regenerate({ runId: run.id }))).toMatchObject({
    code: 'TOO_MANY_REQUESTS',
    appCode: 'BUDGET_EXCEEDED',
  });
  expect(upstream.requests.length).toBe(from);
  const after = await owner.caller.conversations.get({ id: owner.conversationId });
  expect(after.messages[0]?.versionIds).toEqual([question]);
});

test('a run still going cannot be regenerated', async ({ api, upstream }) => {
  upstream.setBehavior(TEST_CHAIRMAN, { hang: true });
  try {
    const { caller, conversationId } = await signUpWithKey(api);
    const { runId } = await caller.council.start({ conversationId, content: 'Still going' });
    expect(await failureOf(caller.council.regenerate({ runId }))).toMatchObject({
      code: 'CONFLICT',
      appCode: 'RUN_NOT_REGENERABLE',
    });
    await caller.council.cancel({ runId });
    await finish(caller, runId);
  } finally {
    upstream.reset();
  }
});

test('export and import keep every branch and the version shown; Markdown reads the branch shown', async ({ api }) => {
  const { caller, conversationId } = await signUpWithKey(api);
  await ask(caller, conversationId, 'Root question on glaciers');
  const original = await ask(caller, conversationId, 'Version one on moraines');
  const edit = await caller.council.edit({ messageId: original, content: 'Version two on crevasses' });
  await finish(caller, edit.runId);
  await ask(caller, conversationId, 'Follow-up on version two');
  await caller.conversations.showVersion({ messageId: original });
  const shapeOf = async (id: string) => {
    const c = await caller.conversations.get({ id });
    return {
      shown: c.messages.map((m) => [m.role, m.content]),
      versions: c.messages.filter((m) => m.role === 'user').map((m) => m.versionIds.length),
    };
  };
  const before = await shapeOf(conversationId);
  expect(before.shown).toEqual([
    ['user', 'Root question on glaciers'],
    ['assistant', expect.any(String)],
    ['user', 'Version one on moraines'],
    ['assistant', expect.any(String)],
  ]);

  const file = await caller.conversations.export({ id: conversationId, format: 'json' });
  const { conversationIds } = await caller.conversations.import({ data: JSON.parse(file.content) as unknown });
  const copy = conversationIds[0] ?? '';
  // The copy shows the same version, and still has both versions of the second question.
  expect(await shapeOf(copy)).toEqual(before);
  const copied = await caller.conversations.get({ id: copy });
  const [, secondVersion] = copied.messages.find((m) => m.content === 'Version one on moraines')?.versionIds ?? [];
  const other = await caller.conversations.showVersion({ messageId: secondVersion ?? '' });
  expect(other.messages.filter((m) => m.role === 'user').map((m) => m.content)).toEqual([
    'Root question on glaciers',
    'Version two on crevasses',
    'Follow-up on version two',
  ]);
  // Each answer kept its own run: version two's answer is not version one's.
  expect(other.messages.at(-1)?.role).toBe('assistant');
  expect(other.runs.map((r) => r.status)).toEqual(['completed', 'completed', 'completed']);

  // Markdown: the branch shown when exported, with the version it is, and a pointer to JSON.
  const markdown = (await caller.conversations.export({ id: conversationId, format: 'markdown' })).content;
  expect(markdown).toContain('## Question (version 1 of 2)');
  expect(markdown).toContain('Version one on moraines');
  expect(markdown).not.toContain('Version two on crevasses');
  expect(markdown).toContain('the JSON export keeps every version');
});

test('an import whose branches do not hold together is refused naming the field, and stores nothing', async ({
  api,
}) => {
  const { caller, conversationId } = await signUpWithKey(api);
  const original = await ask(caller, conversationId, 'A question to branch');
  await finish(caller, (await caller.council.edit({ messageId: original, content: 'Its second version' })).runId);
  const file = JSON.parse((await caller.conversations.export({ id: conversationId, format: 'json' })).content) as {
    conversations: {
      shownQuestionId?: string | null;
      messages: { id: string; role: string; parentId?: string | null }[];
    }[];
  };
  const { items: before } = await caller.conversations.list({});
  const [conversation] = file.conversations;
  const answer = conversation?.messages.find((m) => m.role === 'assistant');
  const question = conversation?.messages.find((m) => m.role === 'user');
  const broken: [string, (doc: typeof file) => void, RegExp][] = [
    [
      'a parent that is no question',
      (doc) => void (doc.conversations[0]!.messages[0]!.parentId = answer?.id),
      /parentId/,
    ],
    [
      'a parent after its child',
      (doc) => {
        const messages = doc.conversations[0]!.messages;
        messages[0]!.parentId = messages.filter((m) => m.role === 'user').at(-1)?.id;
      },
      /parentId/,
    ],
    [
      'an unknown shown question',
      (doc) => void (doc.conversations[0]!.shownQuestionId = answer?.id),
      /shownQuestionId/,
    ],
  ];
  for (const [name, breakIt, says] of broken) {
    const doc = structuredClone(file);
    breakIt(doc);
    const failure = await failureOf(caller.conversations.import({ data: doc }));
    expect({ name, code: failure.code, says: says.test(failure.message) }).toEqual({
      name,
      code: 'BAD_REQUEST',
      says: true,
    });
  }
  expect(question).toBeDefined();
  expect((await caller.conversations.list({})).items).toHaveLength(before.length);
});

test('search finds a question on a branch that is not shown, and names that question', async ({ api }) => {
  const { caller, conversationId } = await signUpWithKey(api);
  const original = await ask(caller, conversationId, 'Asking about the long spiral tusks of the arctic narwhal');
  await finish(
    caller,
    (await caller.council.edit({ messageId: original, content: 'Asking about walrus whiskers' })).runId,
  );
  const hits = await caller.conversations.search({ query: 'narwhal' });
  expect(hits.items.map((h) => [h.conversationId, h.messageId])).toEqual([[conversationId, original]]);
  // Opening it shows the version the hit is on.
  const shown = await caller.conversations.showVersion({ messageId: hits.items[0]?.messageId ?? '' });
  expect(shown.messages.find((m) => m.role === 'user')?.content).toBe(
    'Asking about the long spiral tusks of the arctic narwhal',
  );
});
