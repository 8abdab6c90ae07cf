import type { FakeUpstream } from '../src/fake-upstream/fake-upstream.types.js';
import { aggregateBallots, peerBallot } from '../src/ranking/aggregate.js';
import { judgeVerdict, verdictRule, type VerdictRule } from '../src/ranking/plain-verdict.js';
import { shuffle } from '../src/ranking/presentation.js';
import { seededRandom } from '../src/seeded-random.js';
import { percent, runScenario, type RunRecord } from './bias-harness.js';

/**
 * The verdict's calibration. Councils of four (and six) models whose scripted reviewers judge by
 * a hidden quality but put the answer they read first at the top with probability r (position
 * bias): one clearly better answer (0.9 against 0.5s) or all answers equal. The table is computed
 * on calibration seeds for a few candidate rules; the engine's rule is then measured on fresh seeds,
 * the way the parser's held-out set is kept apart from its tuning corpus.
 */

type Report = (label: string, value: string, pass?: boolean) => void;
interface Council {
  size: number;
  better: boolean;
  primacyRate: number;
}

const candidates: { name: string; rule: VerdictRule }[] = [
  { name: 'every peer', rule: { ...verdictRule, dissent: () => 0 } },
  { name: 'every/all-but-1 of 5+ *', rule: verdictRule },
  { name: 'all but one', rule: { ...verdictRule, dissent: () => 1 } },
  { name: 'most peers', rule: { ...verdictRule, dissent: (n) => Math.ceil(n / 2) - 1 } },
];
const calibrationCouncils: Council[] = [
  ...[0, 0.1, 0.3, 0.6].map((primacyRate) => ({ size: 4, better: true, primacyRate })),
  ...[0.1, 0.6].map((primacyRate) => ({ size: 4, better: false, primacyRate })),
  { size: 6, better: true, primacyRate: 0.1 },
  { size: 6, better: false, primacyRate: 0.1 },
];

function councilOf(upstream: FakeUpstream, tag: string, council: Council) {
  const base = Array.from({ length: council.size }, (_, i) => (i === 0 && council.better ? 0.9 : 0.5));
  const qualities = (i: number) => shuffle(base, seededRandom(i * 6_151 + council.size));
  return {
    modelsFor: (i: number) =>
      qualities(i).map((quality, slot) => {
        const model = `bench/${tag}${i}/m${slot}`;
        upstream.setBehavior(model, { quality, reviewer: { bias: 'primacy', primacyRate: council.primacyRate } });
        return model;
      }),
    bestOf: (r: RunRecord, i: number) => r.models[qualities(i).indexOf(0.9)],
  };
}

const name = (c: Council) => `${c.size} models, ${c.better ? 'one better' : 'all equal'}, r = ${c.primacyRate}`;
const share = (records: readonly RunRecord[], hit: (r: RunRecord, i: number) => boolean) =>
  records.filter(hit).length / records.length;

export async function calibrateVerdict(upstream: FakeUpstream, runs: number, report: Report): Promise<void> {
  console.log(
    `\nVerdict calibration: runs called "clear winner" (the better answer, where there is one) by each rule (calibration seeds, ${runs / 2} runs each)`,
  );
  console.log("  (first place needed from …; * = the engine's rule)");
  console.log(`  ${'council'.padEnd(38)}${candidates.map((c) => c.name.padStart(25)).join('')}`);
  for (const [index, council] of calibrationCouncils.entries()) {
    const { modelsFor, bestOf } = councilOf(upstream, `cal${index}-`, council);
    const rs = await runScenario(upstream, { runs: runs / 2, seed: 30 + index, modelsFor });
    // With one better answer only a clear winner that is that answer counts.
    const cells = candidates.map(({ rule }) =>
      percent(
        share(rs, (r, i) => {
          const v = judgeVerdict(r.ballots, aggregateBallots(r.ballots, r.labelToModel), r.labelToModel, rule);
          return v.kind === 'clear_winner' && (!council.better || v.models[0] === bestOf(r, i));
        }),
      ),
    );
    console.log(`  ${name(council).padEnd(38)}${cells.map((c) => c.padStart(25)).join('')}`);
  }

  console.log(`\nVerdict on fresh seeds (the engine's own verdicts, ${runs} runs each)`);
  const checks: [Council, (rs: RunRecord[], bestOf: (r: RunRecord, i: number) => string | undefined) => void][] = [
    [
      { size: 4, better: true, primacyRate: 0.1 },
      (rs, bestOf) => {
        const right = share(rs, (r, i) => r.verdict?.kind === 'clear_winner' && r.verdict.models[0] === bestOf(r, i));
        report('one clearly better answer (r = 0.1): "clear winner", right model', percent(right), right >= 0.8);
      },
    ],
    [
      { size: 4, better: false, primacyRate: 0.1 },
      (rs) => {
        const none = share(rs, (r) => r.verdict?.kind !== 'clear_winner');
        report('four equal answers (r = 0.1): not "clear winner"', percent(none), none >= 0.8);
      },
    ],
    [
      { size: 4, better: false, primacyRate: 0.6 },
      (rs) => {
        const none = share(rs, (r) => r.verdict?.kind !== 'clear_winner');
        report('four equal answers (r = 0.6): not "clear winner"', percent(none), none >= 0.8);
      },
    ],
    [
      { size: 4, better: true, primacyRate: 0.6 },
      (rs, bestOf) => {
        const right = share(rs, (r, i) => r.verdict?.kind === 'clear_winner' && r.verdict.models[0] === bestOf(r, i));
        report('one better answer, strong position bias (r = 0.6): "clear winner"', percent(right));
      },
    ],
  ];
  const all: RunRecord[] = [];
  for (const [index, [council, check]] of checks.entries()) {
    const { modelsFor, bestOf } = councilOf(upstream, `chk${index}-`, council);
    const rs = await runScenario(upstream, { runs, seed: 40 + index, modelsFor });
    check(rs, bestOf);
    report('  verdicts', kindsOf(rs));
    all.push(...rs);
  }
  const unanimous = all.filter(isUnanimous);
  const unanimousClear = unanimous.filter((r) => r.verdict?.kind === 'clear_winner').length;
  report(
    'every peer put the same model first: "clear winner"',
    `${unanimousClear} of ${unanimous.length}`,
    unanimousClear === unanimous.length,
  );
}

function kindsOf(records: readonly RunRecord[]): string {
  return (['clear_winner', 'close', 'split'] as const)
    .map((kind) => `${kind.replace('_', ' ')} ${percent(share(records, (r) => r.verdict?.kind === kind))}`)
    .join(' / ');
}

/** Some model was put first by every other reviewer's ballot. */
function isUnanimous(record: RunRecord): boolean {
  const peers = record.ballots.map((b) => peerBallot(b, record.labelToModel));
  return record.models.some((model) => {
    const judges = peers.filter((b) => b.reviewer !== model && b.shown.length >= 2);
    return judges.length > 0 && judges.every((b) => record.labelToModel[b.ranking[0] ?? ''] === model);
  });
}
