import { expect } from 'vitest';
import { createAnsweredConversation } from '../testing/council-records.js';
import { createConversation } from '../testing/factories.js';
import { failureOf } from '../testing/failure-of.js';
import { apiTest as test } from '../testing/test-api.js';

// conversations.search: full-text over titles, questions, stage-1 answers and final answers of the
// caller's own conversations (security cases 72 and 73 in docs/security.md).

const turn = (question: string, answers: Record<string, string>, final: string) => ({ question, answers, final });

test('search finds a conversation by its title, question, stage-1 answer or final answer, each once', async ({
  api,
}) => {
  const { user, caller } = await api.signUp();
  const byTitle = await createConversation(api.db, user.id, { title: 'Sourdough starter schedule' });
  const rich = await createAnsweredConversation(api.db, user.id, {
    title: 'Bridges',
    turns: [
      turn(
        'How do suspension bridges carry load?',
        { 'test/alpha': 'Cables in tension carry the deck.', 'test/beta': 'The towers take compression.' },
        'Tension in the main cables, compression in the towers.',
      ),
    ],
  });

  const titleHits = await caller.conversations.search({ query: 'sourdough' });
  expect(titleHits.items.map((i) => i.conversationId)).toEqual([byTitle.id]);
  expect(titleHits.items[0]?.snippet).toContain('<mark>Sourdough</mark>');

  // "towers" appears in one stage-1 answer and in the final answer: one result, not two.
  const towers = await caller.conversations.search({ query: 'towers' });
  expect(towers.items).toHaveLength(1);
  expect(towers.items[0]).toMatchObject({ conversationId: rich.conversationId, title: 'Bridges' });
  expect(towers.items[0]?.snippet).toMatch(/<mark>towers<\/mark>/);

  // A stage-1 answer's match points at the question it answers.
  const got = await caller.conversations.get({ id: rich.conversationId });
  const question = got.messages.find((m) => m.role === 'user');
  const cables = await caller.conversations.search({ query: 'deck' });
  expect(cables.items[0]?.messageId).toBe(question?.id);
  // Stemming: "carries" finds "carry".
  expect((await caller.conversations.search({ query: 'carries' })).items).toHaveLength(1);
  expect((await caller.conversations.search({ query: 'submarine' })).items).toEqual([]);
});

test('search understands quotes and exclusions, and ranks the better match first', async ({ api }) => {
  const { user, caller } = await api.signUp();
  const strong = await createAnsweredConversation(api.db, user.id, {
    title: 'Rust ownership',
    turns: [turn('Explain rust ownership', { 'test/alpha': 'Ownership and borrowing.' }, 'Rust ownership rules.')],
  });
  const weak = await createAnsweredConversation(api.db, user.id, {
    title: 'Garden',
    turns: [turn('Why does iron rust in the garden?', { 'test/alpha': 'Oxygen and water.' }, 'Oxidation.')],
  });

  const ranked = await caller.conversations.search({ query: 'rust' });
  expect(ranked.items.map((i) => i.conversationId)).toEqual([strong.conversationId, weak.conversationId]);
  const phrase = await caller.conversations.search({ query: '"rust ownership"' });
  expect(phrase.items.map((i) => i.conversationId)).toEqual([strong.conversationId]);
  const excluded = await caller.conversations.search({ query: 'rust -garden' });
  expect(excluded.items.map((i) => i.conversationId)).toEqual([strong.conversationId]);
});

test("search never returns another user's conversations (case 72)", async ({ api }) => {
  const alice = await api.signUp();
  const bob = await api.signUp();
  await createAnsweredConversation(api.db, alice.user.id, {
    title: 'Alice zeppelin plans',
    turns: [turn('zeppelin budget?', { 'test/alpha': 'A zeppelin costs a lot.' }, 'Zeppelins are dear.')],
  });
  expect((await bob.caller.conversations.search({ query: 'zeppelin' })).items).toEqual([]);
  expect((await alice.caller.conversations.search({ query: 'zeppelin' })).items).toHaveLength(1);
});

test('snippets are HTML-safe: model output cannot inject markup (case 73)', async ({ api }) => {
  const { user, caller } = await api.signUp();
  await createAnsweredConversation(api.db, user.id, {
    title: 'Markup',
    turns: [turn('q', { 'test/alpha': 'a <b onclick=x> walrus & "friends" <img src=x onerror=alert(1)>' }, 'done')],
  });
  const [hit] = (await caller.conversations.search({ query: 'walrus' })).items;
  expect(hit?.snippet).not.toMatch(/<img/);
  expect(hit?.snippet).toContain('&#38; &#34;friends&#34;');
  expect(hit?.snippet).toContain('<mark>walrus</mark>');
  expect(hit?.snippet.replace(/<\/?mark>/g, '')).not.toMatch(/[<>]/);
});

test('search pages with an opaque cursor, follows renames and deletes, and refuses odd input', async ({ api }) => {
  const { user, caller } = await api.signUp();
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) ids.push((await createConversation(api.db, user.id, { title: `Kettle ${i}` })).id);
  const first = await caller.conversations.search({ query: 'kettle', limit: 3 });
  expect(first.items).toHaveLength(3);
  const second = await caller.conversations.search({ query: 'kettle', limit: 3, cursor: first.nextCursor });
  expect(second.items).toHaveLength(2);
  expect(second.nextCursor).toBeNull();
  expect(new Set([...first.items, ...second.items].map((i) => i.conversationId))).toEqual(new Set(ids));

  await caller.conversations.rename({ id: ids[0] ?? '', title: 'Teapot' });
  await caller.conversations.delete({ id: ids[1] ?? '' });
  expect((await caller.conversations.search({ query: 'kettle' })).items).toHaveLength(3);
  expect((await caller.conversations.search({ query: 'teapot' })).items.map((i) => i.conversationId)).toEqual([ids[0]]);

  expect((await failureOf(caller.conversations.search({ query: '   ' }))).appCode).toBe('VALIDATION_FAILED');
  expect((await failureOf(caller.conversations.search({ query: 'a\u0000b' }))).appCode).toBe('VALIDATION_FAILED');
  const badCursor = await failureOf(caller.conversations.search({ query: 'kettle', cursor: 'bm9wZQ' }));
  expect(badCursor).toMatchObject({ code: 'BAD_REQUEST', appCode: 'VALIDATION_FAILED' });
  // Operators alone, or stop words alone, are no error: they match nothing.
  expect((await caller.conversations.search({ query: '-"" or the' })).items).toEqual([]);
});
