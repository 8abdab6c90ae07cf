import { expect, test } from 'vitest';
import { aggregateRankings, labelFor, parseRanking } from './ranking.js';
import { rankingFixtures } from './ranking.fixtures.js';

test.each(rankingFixtures)('parseRanking reads $name', ({ text, validLabels, expected }) => {
  expect(parseRanking(text, validLabels)).toEqual(expected);
});

test('parseRanking prefers the numbered list over labels mentioned in its reasons', () => {
  const text = 'FINAL RANKING:\n1. Response B, clearer than Response A\n2. Response A';
  expect(parseRanking(text)).toEqual(['Response B', 'Response A']);
});

test('labelFor counts A to Z, then AA, AB like spreadsheet columns', () => {
  expect(labelFor(0)).toBe('Response A');
  expect(labelFor(25)).toBe('Response Z');
  expect(labelFor(26)).toBe('Response AA');
  expect(labelFor(27)).toBe('Response AB');
  expect(labelFor(52)).toBe('Response BA');
});

test('aggregateRankings averages positions per model, best first, with vote counts', () => {
  const labelToModel = { 'Response A': 'm/alpha', 'Response B': 'm/beta', 'Response C': 'm/gamma' };
  const aggregate = aggregateRankings(
    [
      { reviewer: 'm/alpha', parsedRanking: ['Response A', 'Response B', 'Response C'] },
      { reviewer: 'm/beta', parsedRanking: ['Response B', 'Response A', 'Response C'] },
      { reviewer: 'm/gamma', parsedRanking: ['Response B', 'Response C', 'Response A'] },
    ],
    labelToModel,
  );
  expect(aggregate).toEqual([
    { model: 'm/beta', averageRank: 1.33, rankingsCount: 3 },
    { model: 'm/alpha', averageRank: 2, rankingsCount: 3 },
    { model: 'm/gamma', averageRank: 2.67, rankingsCount: 3 },
  ]);
});

test('aggregateRankings breaks ties by model name and skips models nobody ranked', () => {
  const labelToModel = { 'Response A': 'z/last', 'Response B': 'a/first', 'Response C': 'm/unranked' };
  const aggregate = aggregateRankings(
    [
      { reviewer: 'r1', parsedRanking: ['Response A', 'Response B'] },
      { reviewer: 'r2', parsedRanking: ['Response B', 'Response A'] },
    ],
    labelToModel,
  );
  expect(aggregate.map((row) => row.model)).toEqual(['a/first', 'z/last']);
  expect(aggregate[0]?.averageRank).toBe(1.5);
});

test('aggregateRankings ignores unknown labels without shifting the positions of known ones', () => {
  const aggregate = aggregateRankings(
    [{ reviewer: 'r1', parsedRanking: ['Response Q', 'Response A', 'Response A', 'Response B'] }],
    { 'Response A': 'm/a', 'Response B': 'm/b' },
  );
  expect(aggregate).toEqual([
    { model: 'm/a', averageRank: 1, rankingsCount: 1 },
    { model: 'm/b', averageRank: 2, rankingsCount: 1 },
  ]);
});

test('aggregateRankings returns an empty table when there are no reviews', () => {
  expect(aggregateRankings([], { 'Response A': 'm/a' })).toEqual([]);
});
