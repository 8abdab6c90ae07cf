import { expect, test } from 'vitest';
import { cleanTitle, extractTitle } from './title.js';

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
])('cleanTitle turns %j into %j', (raw, expected) => {
  expect(cleanTitle(raw)).toBe(expected);
});

test('cleanTitle caps long titles at 50 characters on a word boundary', () => {
  const title = cleanTitle('An Extremely Long Title About Distributed Consensus Algorithms In Practice');
  expect(title).toBe('An Extremely Long Title About Distributed');
  expect(title.length).toBeLessThanOrEqual(50);
});

test('cleanTitle hard-cuts a single overlong word at 50 characters', () => {
  expect(cleanTitle('x'.repeat(80))).toBe('x'.repeat(50));
});

test('cleanTitle falls back to "New Conversation" when nothing usable is left', () => {
  expect(cleanTitle('')).toBe('New Conversation');
  expect(cleanTitle('  "" ** \n')).toBe('New Conversation');
});

test('extractTitle returns null instead of inventing a fallback', () => {
  expect(extractTitle('   ')).toBeNull();
  expect(extractTitle('Good Title')).toBe('Good Title');
});
