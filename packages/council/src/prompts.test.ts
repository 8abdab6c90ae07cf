import { expect, test } from 'vitest';
import { buildChairmanMessages, buildReviewMessages, buildStage1Messages, buildTitleMessages } from './prompts.js';
import { parseRanking } from './ranking.js';

const history = [
  { question: 'What is a monad?', answer: 'A monad is a way to chain computations.' },
  { question: 'Show one in JavaScript.', answer: 'Promises behave much like a monad.' },
];

const answers = [
  { label: 'Response A', model: 'openai/gpt-5.1', content: 'Answer from GPT.' },
  { label: 'Response B', model: 'x-ai/grok-4', content: 'Answer from Grok.' },
];

test('stage 1 sends earlier turns as alternating user/assistant messages, then the new question', () => {
  const messages = buildStage1Messages({ question: 'And in Python?', history });
  expect(messages).toEqual([
    { role: 'user', content: 'What is a monad?' },
    { role: 'assistant', content: 'A monad is a way to chain computations.' },
    { role: 'user', content: 'Show one in JavaScript.' },
    { role: 'assistant', content: 'Promises behave much like a monad.' },
    { role: 'user', content: 'And in Python?' },
  ]);
});

test('stage 1 without history is just the question', () => {
  expect(buildStage1Messages({ question: 'Hi?', history: [] })).toEqual([{ role: 'user', content: 'Hi?' }]);
});

test('the review prompt shows labelled answers without model names and asks for FINAL RANKING', () => {
  const [message] = buildReviewMessages({ question: 'And in Python?', history, answers });
  const text = message?.content ?? '';
  expect(text).toContain('<response label="Response A">\nAnswer from GPT.\n</response>');
  expect(text).toContain('<response label="Response B">\nAnswer from Grok.\n</response>');
  expect(text).not.toContain('openai/gpt-5.1');
  expect(text).not.toContain('x-ai/grok-4');
  expect(text).toContain('FINAL RANKING:');
  expect(text).toContain('And in Python?');
  expect(text).toContain('Promises behave much like a monad.');
});

test('the review prompt itself does not read as a ranking', () => {
  const [message] = buildReviewMessages({ question: 'Q', history: [], answers });
  expect(parseRanking(message?.content ?? '', ['Response A', 'Response B'])).toEqual([]);
});

test('the chairman prompt names every model, maps every label and includes every review', () => {
  const messages = buildChairmanMessages({
    question: 'And in Python?',
    history,
    answers,
    reviews: [
      { reviewer: 'openai/gpt-5.1', content: 'Response B is vague.\nFINAL RANKING:\n1. Response A\n2. Response B' },
      { reviewer: 'x-ai/grok-4', content: 'Response A is wrong.\nFINAL RANKING:\n1. Response B\n2. Response A' },
    ],
    aggregate: [{ model: 'openai/gpt-5.1', averageRank: 1.5, rankingsCount: 2 }],
  });
  const text = messages.map((m) => m.content).join('\n');
  expect(messages[0]?.role).toBe('system');
  expect(text).toContain('<answer model="openai/gpt-5.1" label="Response A">\nAnswer from GPT.\n</answer>');
  expect(text).toContain('<answer model="x-ai/grok-4" label="Response B">\nAnswer from Grok.\n</answer>');
  expect(text).toContain('- Response A = openai/gpt-5.1');
  expect(text).toContain('- Response B = x-ai/grok-4');
  expect(text).toContain('Response B is vague.');
  expect(text).toContain('Response A is wrong.');
  expect(text).toContain('- openai/gpt-5.1: 1.50 (2 votes)');
  expect(text).toContain('What is a monad?');
});

test('the chairman prompt says so when no review is available', () => {
  const text = buildChairmanMessages({ question: 'Q', history: [], answers, reviews: [] })
    .map((m) => m.content)
    .join('\n');
  expect(text).toContain('(No reviews are available.)');
});

test('the title prompt asks for 3 to 5 words without quotes and includes the question', () => {
  const [message] = buildTitleMessages({ question: 'How do I repot a cactus?' });
  expect(message?.content).toContain('3 to 5 words');
  expect(message?.content).toContain('no quotes');
  expect(message?.content).toContain('How do I repot a cactus?');
});
