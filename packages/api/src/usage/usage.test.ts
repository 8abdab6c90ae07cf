import { expect } from 'vitest';
import { createAnsweredConversation } from '../testing/council-records.js';
import { failureOf } from '../testing/failure-of.js';
import { apiTest as test } from '../testing/test-api.js';

// usage.summary and usage.topConversations read the usage every call of a run recorded.

const day = (d: string) => new Date(`${d}T12:00:00Z`);
const turn = (at: Date, promptTokens: number, completionTokens: number, cost: number | null) => ({
  question: 'q',
  answers: { 'test/alpha': 'a', 'test/beta': 'b' },
  final: 'f',
  usagePerCall: { promptTokens, completionTokens, cost },
  at,
});

// Each turn has 5 calls: two answers, two reviews, one chairman (test/chair).
test('usage.summary adds tokens and cost per day and per model, within the range only', async ({ api }) => {
  const { user, caller } = await api.signUp();
  await createAnsweredConversation(api.db, user.id, { title: 'One', turns: [turn(day('2026-11-02'), 10, 5, 0.01)] });
  await createAnsweredConversation(api.db, user.id, {
    title: 'Two',
    turns: [turn(day('2026-11-02'), 20, 10, 0.02), turn(day('2026-11-05'), 1, 1, null)],
  });
  await createAnsweredConversation(api.db, user.id, { title: 'Old', turns: [turn(day('2026-10-30'), 999, 999, 9)] });

  const range = { from: '2026-11-01T00:00:00Z', to: '2026-12-01T00:00:00Z' };
  const byDay = await caller.usage.summary({ ...range, groupBy: 'day' });
  expect(byDay.rows).toEqual([
    { key: '2026-11-02', promptTokens: 150, completionTokens: 75, cost: expect.closeTo(0.15, 6) as number },
    { key: '2026-11-05', promptTokens: 5, completionTokens: 5, cost: null },
  ]);
  expect(byDay.total).toEqual({ promptTokens: 155, completionTokens: 80, cost: expect.closeTo(0.15, 6) as number });

  const byModel = await caller.usage.summary({ ...range, groupBy: 'model' });
  expect(byModel.rows.map((r) => [r.key, r.promptTokens])).toEqual([
    ['test/alpha', 62],
    ['test/beta', 62],
    ['test/chair', 31],
  ]);
  expect(byModel.total.promptTokens).toBe(155);

  const top = await caller.usage.topConversations({ ...range, limit: 5 });
  expect(top.items.map((c) => [c.title, c.promptTokens])).toEqual([
    ['Two', 105],
    ['One', 50],
  ]);
});

test("usage never counts another user's runs, and refuses a backwards or huge range", async ({ api }) => {
  const alice = await api.signUp();
  const bob = await api.signUp();
  await createAnsweredConversation(api.db, alice.user.id, { title: 'A', turns: [turn(day('2026-11-02'), 10, 5, 1)] });
  const range = { from: '2026-11-01T00:00:00Z', to: '2026-12-01T00:00:00Z' };
  expect(await bob.caller.usage.summary({ ...range, groupBy: 'model' })).toEqual({
    rows: [],
    total: { promptTokens: 0, completionTokens: 0, cost: null },
  });
  expect((await bob.caller.usage.topConversations(range)).items).toEqual([]);
  const backwards = await failureOf(bob.caller.usage.summary({ from: range.to, to: range.from, groupBy: 'day' }));
  expect(backwards.appCode).toBe('VALIDATION_FAILED');
  const huge = await failureOf(
    bob.caller.usage.summary({ from: '2020-01-01T00:00:00Z', to: range.to, groupBy: 'day' }),
  );
  expect(huge.fieldErrors?.['to']).toBeDefined();
});
