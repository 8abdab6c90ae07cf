import { expect, test } from 'vitest';
import { aggregateBallots, type Ballot } from './aggregate.js';
import { judgeVerdict } from './plain-verdict.js';

// The verdict in plain words, from peer ballots as the engine counts them (self-votes removed).

function councilOf(size: number) {
  const labels = Array.from({ length: size }, (_, i) => `Response ${String.fromCharCode(65 + i)}`);
  const labelToModel = Object.fromEntries(labels.map((label, i) => [label, `m/${i}`]));
  return { labels, labelToModel };
}

/** Reviewer `m/i` ranks the models in `order` (model indexes, best first); its own answer is shown too. */
function ballotsOf(size: number, orders: number[][]): { ballots: Ballot[]; labelToModel: Record<string, string> } {
  const { labels, labelToModel } = councilOf(size);
  const ballots = orders.map((order, reviewer) => ({
    reviewer: `m/${reviewer}`,
    ranking: order.map((i) => labels[i] as string),
    shown: labels,
  }));
  return { ballots, labelToModel };
}

const judge = ({ ballots, labelToModel }: ReturnType<typeof ballotsOf>) =>
  judgeVerdict(ballots, aggregateBallots(ballots, labelToModel), labelToModel);

test('every peer putting the same model first is a clear winner, whatever the rest of the rankings', () => {
  // Each reviewer puts itself first (not counted); every peer of m/2 puts it first, the rest disagree.
  const verdict = judge(
    ballotsOf(4, [
      [0, 2, 3, 1],
      [1, 2, 0, 3],
      [2, 3, 1, 0],
      [3, 2, 1, 0],
    ]),
  );
  expect(verdict).toMatchObject({ kind: 'clear_winner', models: ['m/2'], peers: 4 });
  expect(verdict.sentence).toBe('m/2 ranked first by 3 of 3 peers.');
});

test('a unanimous council of three is a clear winner on two peers each', () => {
  const verdict = judge(
    ballotsOf(3, [
      [1, 0, 2],
      [0, 1, 2],
      [0, 2, 1],
    ]),
  );
  expect(verdict).toMatchObject({ kind: 'clear_winner', models: ['m/0'] });
  expect(verdict.sentence).toBe('m/0 ranked first by 2 of 2 peers.');
});

test('with five peers one dissent still leaves a clear winner; with three it does not', () => {
  const six = judge(
    ballotsOf(6, [
      [0, 1, 2, 3, 4, 5],
      [1, 0, 2, 3, 4, 5],
      [0, 1, 2, 3, 4, 5],
      [0, 1, 2, 3, 4, 5],
      [0, 1, 2, 3, 4, 5],
      [1, 0, 2, 3, 4, 5],
    ]),
  );
  expect(six).toMatchObject({ kind: 'clear_winner', models: ['m/0'] });
  expect(six.sentence).toBe('m/0 ranked first by 4 of 5 peers.');

  const four = judge(
    ballotsOf(4, [
      [2, 1, 3, 0],
      [0, 1, 2, 3],
      [0, 1, 2, 3],
      [1, 0, 2, 3],
    ]),
  );
  expect(four.kind).toBe('split');
  expect(four.sentence).toBe(
    'm/0 leads, but was ranked first by 2 of 3 peers; the first places were spread: m/0 2, m/2 1, m/1 1.',
  );
});

test('a shared first place is close, and names every model in it', () => {
  // A three-way cycle: each model first once, second once.
  const verdict = judge(
    ballotsOf(3, [
      [0, 1, 2],
      [1, 2, 0],
      [2, 0, 1],
    ]),
  );
  expect(verdict.kind).toBe('close');
  expect(verdict.models.sort()).toEqual(['m/0', 'm/1', 'm/2']);
  expect(verdict.sentence).toMatch(/^m\/\d, m\/\d and m\/\d share first place \(scores 0\.50 \/ 0\.50 \/ 0\.50/);
});

test('first places spread over the council with one leader on points is split', () => {
  const verdict = judge(
    ballotsOf(5, [
      [0, 1, 2, 3, 4],
      [1, 2, 0, 3, 4],
      [2, 3, 0, 4, 1],
      [3, 4, 0, 1, 2],
      [0, 1, 2, 3, 4],
    ]),
  );
  // m/0 is second for three peers and first for one: well ahead on points, yet only 1 of 4 firsts.
  expect(verdict).toMatchObject({ kind: 'split', models: ['m/0'] });
  expect(verdict.sentence).toContain('ranked first by 1 of 4 peers');
});

test('a council of two has no peer ranking, and says so in a sentence', () => {
  const verdict = judge(
    ballotsOf(2, [
      [1, 0],
      [0, 1],
    ]),
  );
  expect(verdict).toMatchObject({ kind: 'unranked', models: [], peers: 0 });
  expect(verdict.sentence).toMatch(/each reviewer judged only the other one/);
});
