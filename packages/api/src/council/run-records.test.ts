import { expect } from 'vitest';
import { createAnsweredConversation } from '../testing/council-records.js';
import { apiTest as test } from '../testing/test-api.js';

// Runs stored before the plain-words verdict carried `agreement.contested` and no verdict: the
// run data derives one from the stored reviews, so they still show "Clear winner", "Close", …

test('a run stored with the old contested flag shows a verdict derived from its reviews', async ({ api }) => {
  const { user, caller } = await api.signUp();
  const { conversationId } = await createAnsweredConversation(api.db, user.id, {
    title: 'Old run',
    turns: [
      {
        question: 'Which?',
        answers: { 'test/alpha': 'One.', 'test/beta': 'Two.', 'test/gamma': 'Three.' },
        final: 'One.',
      },
    ],
  });
  // What an older server stored beside the table: agreement with the contested flag, nothing else.
  await api.db
    .updateTable('councilRuns')
    .set({ verdict: JSON.stringify({ agreement: { kendallW: 1, pValue: 0.04, contested: true } }) })
    .execute();

  const [run] = (await caller.conversations.get({ id: conversationId })).runs;
  // Every reviewer ranked the answers in council order: both peers of alpha put it first.
  expect(run?.verdict).toMatchObject({ kind: 'clear_winner', models: ['test/alpha'] });
  expect(run?.verdict?.sentence).toBe('test/alpha ranked first by 2 of 2 peers.');
  expect(run?.agreement).toEqual({ kendallW: 1, pValue: 0.04, contested: true });
});
