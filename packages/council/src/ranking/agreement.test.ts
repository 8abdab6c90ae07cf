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
