import { expect, test } from 'vitest';
import { aggregateBallots, placesOf } from './aggregate.js';

const labelToModel = { 'Response A': 'm/a', 'Response B': 'm/b', 'Response C': 'm/c' };
const shown = Object.keys(labelToModel);
const ballot = (reviewer: string, ranking: string[]) => ({ reviewer, ranking, shown });

test('a self-vote does not count in the peer table but is kept as selfRank', () => {
  const rows = aggregateBallots(
    [
      ballot('m/a', ['Response A', 'Response C', 'Response B']),
      ballot('m/b', ['Response B', 'Response C', 'Response A']),
      ballot('m/c', ['Response C', 'Response A', 'Response B']),
    ],
    labelToModel,
  );
  // Every reviewer put itself first; only the peer votes decide: C twice first, B twice last.
  expect(rows.map((r) => [r.model, r.place, r.score, r.votes, r.selfRank])).toEqual([
    ['m/c', 1, 1, 2, 1],
    ['m/a', 2, 0.5, 2, 1],
    ['m/b', 3, 0, 2, 1],
  ]);
});

test('with self-votes included the same ballots crown the self-voter', () => {
  const rows = aggregateBallots(
    [
      ballot('m/a', ['Response A', 'Response B', 'Response C']),
      ballot('m/b', ['Response C', 'Response A', 'Response B']),
    ],
    labelToModel,
    { includeSelfVotes: true },
  );
  expect(rows[0]).toMatchObject({ model: 'm/a', place: 1 });
});

test('unlisted answers of a partial ballot share the remaining places', () => {
  expect(placesOf(['Response B'], shown)).toEqual(
    new Map([
      ['Response B', 0],
      ['Response A', 1.5],
      ['Response C', 1.5],
    ]),
  );
});

test('equal scores share a place, even when head-to-head counts differ', () => {
  const rows = aggregateBallots(
    [
      { reviewer: 'x/1', ranking: ['Response A', 'Response B', 'Response C'], shown },
      { reviewer: 'x/2', ranking: ['Response B', 'Response C', 'Response A'], shown },
      { reviewer: 'x/3', ranking: ['Response C', 'Response A', 'Response B'], shown },
      { reviewer: 'x/4', ranking: ['Response B', 'Response A', 'Response C'], shown },
      { reviewer: 'x/5', ranking: ['Response A', 'Response B', 'Response C'], shown },
    ],
    labelToModel,
  );
  // A and B both score 0.6 (A is above B on 3 of 5 ballots, which no longer separates them).
  expect(rows.map((r) => [r.model, r.place])).toEqual([
    ['m/a', 1],
    ['m/b', 1],
    ['m/c', 3],
  ]);
});
