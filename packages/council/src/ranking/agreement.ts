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
 * W for every tuple of rankings the null hypothesis draws, sorted: all of them when that is small,
 * else a fixed sample. The first ranking is held at the identity — W does not change when every
 * ranking is relabelled alike, so the distribution is the same whatever the first reviewer said —
 * and it depends only on the numbers of reviewers and answers. So it is built once per shape and
 * kept: a 4-model council enumerates 24³ tuples, which cost every run about 8 ms of CPU before.
 */
interface NullDistribution {
  /** W of each tuple, ascending. */
  sorted: Float64Array;
  /** Every tuple, not a sample. */
  isExact: boolean;
}
const nullDistributions = new Map<string, NullDistribution>();

function nullDistribution(m: number, n: number): NullDistribution {
  const key = `${m}×${n}`;
  const known = nullDistributions.get(key);
  if (known) return known;
  const first = Array.from({ length: n }, (_, i) => i);
  let factorial = 1;
  for (let i = 2; i <= n; i++) factorial *= i;
  const values: number[] = [];
  const isExact = factorial ** (m - 1) <= exactLimit;
  if (isExact) {
    const all = permutations(n);
    const walk = (chosen: number[][]): void => {
      if (chosen.length === m - 1) {
        values.push(kendallW([first, ...chosen]) ?? 0);
        return;
      }
      for (const perm of all) walk([...chosen, perm]);
    };
    walk([]);
  } else {
    const random = seededRandom(m * 1_000 + n);
    for (let draw = 0; draw < permutationDraws; draw++) {
      values.push(kendallW([first, ...Array.from({ length: m - 1 }, () => shuffled(n, random))]) ?? 0);
    }
  }
  const distribution = { sorted: Float64Array.from(values).sort(), isExact };
  nullDistributions.set(key, distribution);
  return distribution;
}

/** How many of the sorted values are at least `w` (binary search for the first one). */
function countAtLeast(sorted: Float64Array, w: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((sorted[mid] as number) >= w) high = mid;
    else low = mid + 1;
  }
  return sorted.length - low;
}

/**
 * P(W ≥ observed) under random rankings: exact when every tuple was enumerated, else estimated
 * from the sample with the usual +1 correction (never 0).
 */
export function kendallPValue(rankings: readonly (readonly number[])[]): number | null {
  const observed = kendallW(rankings);
  if (observed === null) return null;
  const m = rankings.length;
  const n = rankings[0]?.length ?? 0;
  const { sorted, isExact } = nullDistribution(m, n);
  const hits = countAtLeast(sorted, observed - 1e-12);
  return isExact ? hits / sorted.length : (hits + 1) / (sorted.length + 1);
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
