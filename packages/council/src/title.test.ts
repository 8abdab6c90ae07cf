import { expect, test } from 'vitest';
import { extractTitle } from './title.js';

test.each([
  ['"Rust Borrow Checker Basics"', 'Rust Borrow Checker Basics'],
  ['“Curly Quoted Title”', 'Curly Quoted Title'],
  ['**Bold Title Here**', 'Bold Title Here'],
  ['# Heading Style Title', 'Heading Style Title'],
  ['Title: Planning a Garden', 'Planning a Garden'],
  ['**Title:** "Sourdough Starter Tips"', 'Sourdough Starter Tips'],
  ['  Lots   of\tspaces  here  ', 'Lots of spaces here'],
  ['Ends With A Period.', 'Ends With A Period'],
  ['Tax Questions 2025\n\nThis title captures the topic.', 'Tax Questions 2025'],
  ['<think>The user asks about cats.</think>\nCat Care Essentials', 'Cat Care Essentials'],
  ['Why Is the Sky Blue?', 'Why Is the Sky Blue?'],
])('extractTitle turns %j into %j', (raw, expected) => {
  expect(extractTitle(raw)).toBe(expected);
});

test('extractTitle caps long titles at 50 characters on a word boundary', () => {
  const title = extractTitle('An Extremely Long Title About Distributed Consensus Algorithms In Practice');
  expect(title).toBe('An Extremely Long Title About Distributed');
  expect(title?.length).toBeLessThanOrEqual(50);
});

test('extractTitle hard-cuts a single overlong word at 50 characters', () => {
  expect(extractTitle('x'.repeat(80))).toBe('x'.repeat(50));
});

test('extractTitle returns null when nothing usable is left, instead of inventing a fallback', () => {
  for (const raw of ['', '   ', '  "" ** \n']) expect(extractTitle(raw)).toBeNull();
  expect(extractTitle('Good Title')).toBe('Good Title');
});
