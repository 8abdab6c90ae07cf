import { expect, test } from 'vitest';
import { readRanking } from './parse-ranking.js';
import { rankingCorpus } from './ranking.corpus.js';

test('the corpus has at least 100 cases', () => {
  expect(rankingCorpus.length).toBeGreaterThanOrEqual(100);
});

test.each(rankingCorpus)('readRanking: $name', ({ text, shown, status, ranking, finishReason }) => {
  expect(readRanking(text, shown, { finishReason })).toEqual({ status, ranking });
});
