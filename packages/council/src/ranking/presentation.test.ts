import { expect, test } from 'vitest';
import { assignLabels, labelFor, presentationOrders } from './presentation.js';

function seeded(seed: number) {
  let state = seed;
  return () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

test('labelFor counts A to Z, then AA, AB like spreadsheet columns', () => {
  expect([0, 25, 26, 27, 52].map(labelFor)).toEqual([
    'Response A',
    'Response Z',
    'Response AA',
    'Response AB',
    'Response BA',
  ]);
});

test('over many runs, the first configured model is Response A about a quarter of the time', () => {
  const random = seeded(7);
  let first = 0;
  for (let i = 0; i < 2_000; i++)
    if (assignLabels(['m/1', 'm/2', 'm/3', 'm/4'], random)['Response A'] === 'm/1') first++;
  expect(first / 2_000).toBeGreaterThan(0.2);
  expect(first / 2_000).toBeLessThan(0.3);
});

test('with one reviewer per answer, every answer is shown in every slot exactly once', () => {
  const labels = ['Response A', 'Response B', 'Response C', 'Response D'];
  const orders = Object.values(presentationOrders(labels, ['m/1', 'm/2', 'm/3', 'm/4'], seeded(3)));
  for (let slot = 0; slot < 4; slot++) expect(new Set(orders.map((o) => o[slot])).size).toBe(4);
  for (const order of orders) expect([...order].sort()).toEqual(labels);
});
