import { expect } from 'vitest';
import { councilTest } from './helpers/fixtures.js';
import { CHAIRMAN, COUNCIL, TITLE_MODEL, followToEnd, signUpWithKey } from './helpers/council-harness.js';

// Each stored run carries its total tokens and cost (every recorded call summed: answers, reviews,
// chairman, title), which the conversation view shows under the run, and which agrees with usage.summary.
// The title call's usage travels on `title_completed`, so daily budgets count it too.

const test = councilTest();

test('conversations.get and council.get give a run its total tokens and cost (title call included), the same as usage.summary', async ({
  bed,
}) => {
  for (const model of COUNCIL)
    bed.upstream.setBehavior(model, { usage: { promptTokens: 100, completionTokens: 20 }, cost: 0.001 });
  bed.upstream.setBehavior(CHAIRMAN, { usage: { promptTokens: 300, completionTokens: 50 }, cost: 0.01 });
  bed.upstream.setBehavior(TITLE_MODEL, { usage: { promptTokens: 40, completionTokens: 5 }, cost: 0.0001 });
  const { client, conversationId } = await signUpWithKey(bed.server);
  const before = new Date();
  const { runId } = await client.council.start.mutate({ conversationId, content: 'How much did this cost?' });
  await followToEnd(client, runId);

  // Three answers and three reviews at 100/20, the chairman at 300/50, the title at 40/5.
  const expected = {
    promptTokens: 6 * 100 + 300 + 40,
    completionTokens: 6 * 20 + 50 + 5,
    totalTokens: 6 * 120 + 350 + 45,
    cost: expect.closeTo(6 * 0.001 + 0.01 + 0.0001, 8) as number,
    isImported: false,
  };
  const conversation = await client.conversations.get.query({ id: conversationId });
  expect(conversation.runs.map((r) => r.usage)).toEqual([expected]);
  expect((await client.council.get.query({ runId })).usage).toEqual(expected);

  // The usage page reads the same calls.
  const range = { from: before.toISOString(), to: new Date(Date.now() + 60_000).toISOString() };
  const { total } = await client.usage.summary.query({ ...range, groupBy: 'model' });
  expect(total).toEqual({
    promptTokens: expected.promptTokens,
    completionTokens: expected.completionTokens,
    cost: expected.cost,
  });
});

test('a run whose provider reports no cost has tokens and a null cost; a run of a second turn has its own total', async ({
  bed,
}) => {
  for (const model of [...COUNCIL, CHAIRMAN, TITLE_MODEL]) {
    bed.upstream.setBehavior(model, { usage: { promptTokens: 10, completionTokens: 1 } });
  }
  const { client, conversationId } = await signUpWithKey(bed.server);
  const first = await client.council.start.mutate({ conversationId, content: 'Free question?' });
  await followToEnd(client, first.runId);
  for (const model of [...COUNCIL, CHAIRMAN]) {
    bed.upstream.setBehavior(model, { usage: { promptTokens: 20, completionTokens: 2 }, cost: 0.5 });
  }
  const second = await client.council.start.mutate({ conversationId, content: 'And a paid follow-up?' });
  await followToEnd(client, second.runId);

  const { runs } = await client.conversations.get.query({ id: conversationId });
  // Each run: 3 answers, 3 reviews and the chairman; the first also titled the conversation.
  expect(runs.map((r) => [r.id, r.usage])).toEqual([
    [first.runId, { promptTokens: 80, completionTokens: 8, totalTokens: 88, cost: null, isImported: false }],
    [
      second.runId,
      {
        promptTokens: 140,
        completionTokens: 14,
        totalTokens: 154,
        cost: expect.closeTo(3.5, 8) as number,
        isImported: false,
      },
    ],
  ]);
});
