import { expect, test } from 'vitest';
import { rankedModels, replaceLabels } from './review-labels';

const labels = {
  'Response A': 'openai/gpt-5.1',
  'Response B': 'anthropic/claude-sonnet-4.5',
  'Response AA': 'meta-llama/llama-4-maverick',
};

test('each known "Response X" becomes the bold short model name', () => {
  expect(replaceLabels('Response A is thorough; Response B is brief.', labels)).toBe(
    '<strong>gpt-5.1</strong> is thorough; <strong>claude-sonnet-4.5</strong> is brief.',
  );
});

test('two-letter labels are replaced whole, not as "Response A" plus a stray letter', () => {
  expect(replaceLabels('Response AA beats Response A.', labels)).toBe(
    '<strong>llama-4-maverick</strong> beats <strong>gpt-5.1</strong>.',
  );
});

test('labels inside the reviewer’s own emphasis and ranking list are replaced too', () => {
  const review = '**Response B** wins.\n\nFINAL RANKING:\n1. Response B\n2. RESPONSE A';
  expect(replaceLabels(review, labels)).toBe(
    '**<strong>claude-sonnet-4.5</strong>** wins.\n\nFINAL RANKING:\n1. <strong>claude-sonnet-4.5</strong>\n2. <strong>gpt-5.1</strong>',
  );
});

test('unknown labels and prose that merely contains the word stay as written', () => {
  expect(replaceLabels('Response Q is invented; a response about Responses A', labels)).toBe(
    'Response Q is invented; a response about Responses A',
  );
});

test('model names are HTML-escaped before they are inserted', () => {
  expect(replaceLabels('Response A', { 'Response A': 'evil/<img src=x onerror=alert(1)>' })).toBe(
    '<strong>&#60;img src=x onerror=alert(1)&#62;</strong>',
  );
});

test('a parsed ranking maps labels to models, keeping unknown labels visible', () => {
  expect(rankedModels(['Response B', 'Response Z'], labels)).toEqual([
    { label: 'Response B', model: 'anthropic/claude-sonnet-4.5' },
    { label: 'Response Z', model: null },
  ]);
});
