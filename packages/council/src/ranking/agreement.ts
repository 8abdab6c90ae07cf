import { seededRandom } from '../seeded-random.js';
import type { Ballot } from './aggregate.js';

/**
 * How far the reviewers' whole rankings agree, for the details view beside the plain-words verdict
 * (which looks only at the top: see plain-verdict.ts).
 */

export interface Agreement {
  /** Kendall's W over complete ballots: 0 no agreement, 1 identical rankings; null below 2 ballots. */
  kendallW: number | null;
  /** Chance of a W this high if reviewers ranked at random (exact or by permutation). */
  pValue: number | null;
}
const exactLimit = 50_000;
const permutationDraws = 4_000;

/** W for rankings given as 0-based places of the same n items. */
export function kendallW(rankings: readonly (readonly number[])[]): number | null {
  const m = rankings.length;
  const n = rankings[0]?.length ?? 0;
  if (m < 2 || n < 2) return null;
  const sums = new Array<number>(n).fill(0);
  for (const places of rankings) places.forEach((place, item) => (sums[item] = (sums[item] ?? 0) + place + 1));
  const mean = (m * (n + 1)) / 2;
  const s = sums.reduce((total, sum) => total + (sum - mean) ** 2, 0);
  return (12 * s) / (m * m * (n ** 3 - n));
}

function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  return permutations(n - 1).flatMap((perm) =>
    Array.from({ length: n }, (_, i) => [...perm.slice(0, i), n - 1, ...perm.slice(i)]),
  );
}

function shuffled(n: number, random: () => number): number[] {
  const items = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as number, items[i] as number];
  }
  return items;
}

/**
 * P(W ≥ observed) under random rankings. The first ranking is held fixed (W does not change when
 * every ranking is relabelled alike); the others are enumerated when that is small, else sampled.
 */
export function kendallPValue(rankings: readonly (readonly number[])[]): number | null {
  const observed = kendallW(rankings);
  const m = rankings.length;
  const n = rankings[0]?.length ?? 0;
  if (observed === null) return null;
  const first = rankings[0] as readonly number[];
  let factorial = 1;
  for (let i = 2; i <= n; i++) factorial *= i;
  const isAtLeast = (w: number | null) => w !== null && w >= observed - 1e-12;
  if (factorial ** (m - 1) <= exactLimit) {
    const all = permutations(n);
    let hits = 0;
    let total = 0;
    const walk = (chosen: number[][]): void => {
      if (chosen.length === m - 1) {
        total++;
        if (isAtLeast(kendallW([first, ...chosen]))) hits++;
        return;
      }
      for (const perm of all) walk([...chosen, perm]);
    };
    walk([]);
    return hits / total;
  }
  const random = seededRandom(m * 1_000 + n);
  let hits = 0;
  for (let draw = 0; draw < permutationDraws; draw++) {
    const sample = [first, ...Array.from({ length: m - 1 }, () => shuffled(n, random))];
    if (isAtLeast(kendallW(sample))) hits++;
  }
  return (hits + 1) / (permutationDraws + 1);
}

/** Agreement over the complete ballots (a partial ballot has no place for every answer). */
export function measureAgreement(
  ballots: readonly Ballot[],
  labelToModel: Readonly<Record<string, string>>,
): Agreement {
  const labels = Object.keys(labelToModel);
  const complete = ballots.filter(
    (b) => b.ranking.length === labels.length && labels.every((l) => b.ranking.includes(l)),
  );
  const rankings = complete.map((b) => labels.map((label) => b.ranking.indexOf(label)));
  return { kendallW: kendallW(rankings), pValue: kendallPValue(rankings) };
}
