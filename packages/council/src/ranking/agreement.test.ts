import { expect, test } from 'vitest';
import { kendallPValue, kendallW, measureAgreement } from './agreement.js';

test('Kendall W is 1 for identical rankings and 0 for a perfect split', () => {
  expect(
    kendallW([
      [0, 1, 2],
      [0, 1, 2],
      [0, 1, 2],
    ]),
  ).toBe(1);
  expect(
    kendallW([
      [0, 1],
      [1, 0],
    ]),
  ).toBe(0);
  expect(kendallW([[0, 1, 2]])).toBeNull();
});

test('the exact p-value of full agreement among 4 reviewers of 4 answers is 1/24^3', () => {
  const same = [0, 1, 2, 3];
  expect(kendallPValue([same, same, same, same])).toBeCloseTo(1 / 24 ** 3, 10);
});

test('the exact p-value does not depend on the first ranking: it matches a count over every tuple with it', () => {
  // Brute force as the definition says, with the first reviewer's ranking held as given (not the
  // identity the cached distribution uses): 3 reviewers of 4 answers, 24² tuples.
  const perms: number[][] = [];
  const build = (prefix: number[]) => {
    if (prefix.length === 4) perms.push(prefix);
    else for (let i = 0; i < 4; i++) if (!prefix.includes(i)) build([...prefix, i]);
  };
  build([]);
  const rankings = [
    [2, 0, 3, 1],
    [2, 1, 3, 0],
    [0, 2, 3, 1],
  ];
  const observed = kendallW(rankings) as number;
  let hits = 0;
  for (const a of perms)
    for (const b of perms) if ((kendallW([rankings[0]!, a, b]) as number) >= observed - 1e-12) hits++;
  expect(kendallPValue(rankings)).toBe(hits / perms.length ** 2);
  expect(hits).toBeGreaterThan(1); // a p-value between the extremes, not 1/576 or 1
  expect(hits).toBeLessThan(perms.length ** 2);
});

test('a sampled p-value (shapes too large to enumerate) stays within (0, 1] and is small for full agreement', () => {
  const same = [0, 1, 2, 3, 4, 5];
  const full = kendallPValue([same, same, same, same, same]) as number;
  expect(full).toBeGreaterThan(0);
  expect(full).toBeLessThan(0.001);
  const mixed = kendallPValue([same, [5, 4, 3, 2, 1, 0], [0, 5, 1, 4, 2, 3], same, [3, 1, 4, 0, 5, 2]]) as number;
  expect(mixed).toBeGreaterThan(0.05);
  expect(mixed).toBeLessThanOrEqual(1);
});

test('agreement over whole rankings is W 1 for identical ballots and lower when they differ', () => {
  const labelToModel = { 'Response A': 'm/a', 'Response B': 'm/b', 'Response C': 'm/c', 'Response D': 'm/d' };
  const shown = Object.keys(labelToModel);
  const unanimous = ['x/1', 'x/2', 'x/3', 'x/4'].map((reviewer) => ({
    reviewer,
    ranking: ['Response B', 'Response A', 'Response D', 'Response C'],
    shown,
  }));
  expect(measureAgreement(unanimous, labelToModel)).toMatchObject({ kendallW: 1 });
  const split = [
    { reviewer: 'x/1', ranking: ['Response A', 'Response B', 'Response C', 'Response D'], shown },
    { reviewer: 'x/2', ranking: ['Response B', 'Response A', 'Response D', 'Response C'], shown },
    { reviewer: 'x/3', ranking: ['Response A', 'Response C', 'Response B', 'Response D'], shown },
  ];
  expect(measureAgreement(split, labelToModel).pValue).toBeGreaterThan(0.05);
});
