/**
 * `pnpm bench:bias`: measures the council method against the fake upstream and prints the figures
 * quoted in docs/council-method.md. Every run is seeded, so the figures repeat exactly. Targets are
 * printed next to each figure (PASS/FAIL); the script exits non-zero if one is missed.
 */
import type { FakeUpstream } from '../src/fake-upstream/fake-upstream.types.js';
import { startFakeUpstream } from '../src/fake-upstream/fake-upstream.server.js';
import { readRanking } from '../src/ranking/parse-ranking.js';
import { heldOutCases } from '../src/ranking/ranking.held-out.js';
import { rankingCorpus } from '../src/ranking/ranking.corpus.js';
import { shuffle } from '../src/ranking/presentation.js';
import { seededRandom } from '../src/seeded-random.js';
import { percent, runScenario, winShares, type RunRecord } from './bias-harness.js';
import { calibrateVerdict } from './verdict-calibration.js';

const runs = 400;
const equalModels = ['bench/one', 'bench/two', 'bench/three', 'bench/four'];
let failures = 0;

function report(label: string, value: string, pass?: boolean): void {
  const verdict = pass === undefined ? '' : pass ? '  PASS' : '  FAIL';
  if (pass === false) failures++;
  console.log(`  ${label.padEnd(58)} ${value}${verdict}`);
}

/** A council of fresh model ids for run `i`, with the given reviewer behaviour and qualities. */
function freshCouncil(upstream: FakeUpstream, tag: string, i: number, setUp: (slot: number) => object): string[] {
  return ['one', 'two', 'three', 'four'].map((name, slot) => {
    const model = `bench/${tag}${i}/${name}`;
    upstream.setBehavior(model, setUp(slot));
    return model;
  });
}

function tablesMatch(a: RunRecord, b: RunRecord): boolean {
  const places = (r: RunRecord) => new Map(r.peer.map((row) => [row.model, row.place]));
  const pa = places(a);
  const pb = places(b);
  return pa.size === pb.size && [...pa].every(([model, place]) => pb.get(model) === place);
}

async function main(): Promise<void> {
  const startedAt = performance.now();
  const upstream = await startFakeUpstream({ seed: 2026, defaultBehavior: { tokenDelayMs: 0 } });
  try {
    for (const model of equalModels) upstream.setBehavior(model, { quality: 0.5, reviewer: { bias: 'primacy' } });

    console.log(`\nPrimacy reviewers (first-shown answer first with p = 0.6), four equally good answers, ${runs} runs`);
    const on = await runScenario(upstream, { runs, seed: 1, modelsFor: () => equalModels });
    const off = await runScenario(upstream, {
      runs,
      seed: 1,
      modelsFor: () => equalModels,
      method: { biasControls: false },
    });
    const sharesOn = winShares(on, equalModels);
    const sharesOff = winShares(off, equalModels);
    for (const model of equalModels) {
      const share = sharesOn.get(model) ?? 0;
      report(`controls on: win share of ${model}`, percent(share), Math.abs(share - 0.25) <= 0.05);
    }
    report('controls on: runs with a tie for first', percent(on.filter((r) => r.winners.length > 1).length / runs));
    report(
      'controls on: verdict "clear winner"',
      percent(on.filter((r) => r.verdict?.kind === 'clear_winner').length / runs),
    );
    const firstOff = sharesOff.get(equalModels[0] as string) ?? 0;
    report('controls off: win share of the first configured model', percent(firstOff), firstOff > 0.4);

    console.log(`\nOne self-loving reviewer among honest ones, four equally good answers, ${runs} runs`);
    // The same councils twice: first all honest, then with the fourth model loving itself.
    const selfScenario = (bias: 'none' | 'self-loving') =>
      runScenario(upstream, {
        runs,
        seed: 2,
        modelsFor: (i) =>
          freshCouncil(upstream, 'self', i, (slot) => ({
            quality: 0.5,
            reviewer: { bias: slot === 3 ? bias : 'none' },
          })),
      });
    const honest = await selfScenario('none');
    const vain = await selfScenario('self-loving');
    const matching = honest.filter((r, i) => tablesMatch(r, vain[i] as RunRecord)).length;
    report('peer-only table identical with and without the self-lover', percent(matching / runs), matching === runs);
    const selfLover = (r: RunRecord) => r.models[3] as string;
    const winsAll = vain.filter((r) => r.allVotes.some((row) => row.place === 1 && row.model === selfLover(r))).length;
    const winsPeer = vain.filter((r) => r.winners.includes(selfLover(r))).length;
    report('self-lover at first place: peer-only table', percent(winsPeer / runs));
    report('self-lover at first place: all-votes table (self-votes counted)', percent(winsAll / runs));

    console.log(`\nGraded quality (0.9 / 0.7 / 0.5 / 0.3), primacy reviewers, controls on, ${runs} runs`);
    const qualities = (i: number) => shuffle([0.9, 0.7, 0.5, 0.3], seededRandom(i * 7_919 + 1));
    const graded = await runScenario(upstream, {
      runs,
      seed: 3,
      modelsFor: (i) =>
        freshCouncil(upstream, 'g', i, (slot) => ({ quality: qualities(i)[slot], reviewer: { bias: 'primacy' } })),
    });
    const bestOf = (r: RunRecord, i: number) => r.models[qualities(i).indexOf(0.9)] as string;
    const soleBest = graded.filter((r, i) => r.winners.length === 1 && r.winners[0] === bestOf(r, i)).length;
    const sharedBest = graded.filter((r, i) => r.winners.includes(bestOf(r, i))).length;
    report('truly best answer wins alone', percent(soleBest / runs));
    report('truly best answer wins or shares first place', percent(sharedBest / runs));
    for (const kind of ['clear_winner', 'close', 'split'] as const) {
      const hits = graded.filter((r) => r.verdict?.kind === kind);
      const right = hits.filter((r) => r.verdict?.models[0] === bestOf(r, graded.indexOf(r))).length;
      report(
        `verdict "${kind.replace('_', ' ')}" (led by the best answer)`,
        `${percent(hits.length / runs)} (${right})`,
      );
    }

    console.log(`\nSloppy reviewers (30% of first replies off-format), ${runs} runs`);
    const sloppy = await runScenario(upstream, {
      runs,
      seed: 4,
      modelsFor: (i) => freshCouncil(upstream, 's', i, () => ({ reviewer: { sloppyRate: 0.3 } })),
    });
    const complete = sloppy.filter((r) => r.reviews.length === 4 && r.reviews.every((v) => v.complete)).length;
    report('runs ending with every ranking complete', percent(complete / runs), complete / runs >= 0.99);
    const extraMatches = sloppy.every(
      (r) => r.reviewCalls - r.reviews.length === r.reviews.filter((v) => v.repaired).length,
    );
    const repaired = sloppy.reduce((n, r) => n + r.reviews.filter((v) => v.repaired).length, 0);
    report('reviews needing a repair ask', `${repaired} of ${runs * 4}`);
    report('extra calls = non-ok reviews, in every run', String(extraMatches), extraMatches);

    await calibrateVerdict(upstream, runs, report);
    await measureDeadline(upstream);
  } finally {
    await upstream.close();
  }
  measureParser();
  console.log(`\nDone in ${((performance.now() - startedAt) / 1000).toFixed(1)} s; ${failures} target(s) missed.`);
  if (failures > 0) process.exitCode = 1;
}

async function measureDeadline(upstream: FakeUpstream): Promise<void> {
  console.log('\nDeadline: one model never answers, soft deadline 1 s');
  const models = freshCouncil(upstream, 'd', 0, (slot) => (slot === 3 ? { hang: true } : {}));
  const startedAt = performance.now();
  const [record] = await runScenario(upstream, {
    runs: 1,
    seed: 5,
    modelsFor: () => models,
    method: { softDeadlineMs: 1_000, hardDeadlineMs: 60_000 },
  });
  const elapsed = performance.now() - startedAt;
  report('whole run completed in', `${(elapsed / 1000).toFixed(2)} s`, elapsed < 2_000 && record?.failed === false);
  report('reviews counted (the late model left out)', String(record?.reviews.length), record?.reviews.length === 3);
}

function measureParser(): void {
  console.log(
    `\nParser: tuning corpus (${rankingCorpus.length} cases) and held-out set (${heldOutCases.length} cases)`,
  );
  const corpusExact = rankingCorpus.filter((c) => {
    const r = readRanking(c.text, c.shown, { finishReason: c.finishReason });
    return r.status === c.status && r.ranking.join('|') === c.ranking.join('|');
  }).length;
  report(
    'corpus: read exactly as annotated',
    `${corpusExact} of ${rankingCorpus.length}`,
    corpusExact === rankingCorpus.length,
  );
  let exact = 0;
  let abstained = 0;
  let wrong = 0;
  for (const c of heldOutCases) {
    const r = readRanking(c.text, c.shown);
    if (r.status !== 'ok') abstained += 1;
    else if (c.expected && r.ranking.join('|') === c.expected.join('|')) exact += 1;
    else wrong += 1;
  }
  const withRanking = heldOutCases.filter((c) => c.expected).length;
  report('held-out: complete rankings read exactly', `${exact} of ${withRanking}`);
  report('held-out: abstained (not ok)', `${abstained} of ${heldOutCases.length}`);
  report('held-out: counted but wrong', `${wrong}`, wrong === 0);
}

await main();
