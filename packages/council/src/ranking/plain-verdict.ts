import type { CouncilVerdict } from '../events.js';
import { peerBallot, placesOf, type AggregateRow, type Ballot } from './aggregate.js';

/**
 * The verdict in plain words, read off the peer ballots and the peer-only table:
 *
 * - **clear winner**: one model alone at the top, put first by every peer that judged it (by all
 *   but one from five peers on);
 * - **close**: two or more models within `closeMargin` of the top score on the 0–1 scale (a
 *   shared first place included);
 * - **split**: a leader, but not put first by (nearly) every peer;
 * - **unranked**: no peer ranking exists (a council of two: each reviewer judged only the other).
 *
 * Why first places and not the score gap: with four answers each model has three peers, and three
 * ballots of equal answers give a score gap of a third or more in a quarter of runs — a gap rule
 * calls that a clear winner. `pnpm bench:bias` prints the calibration (docs/council-method.md).
 */
export interface VerdictRule {
  closeMargin: number;
  /** Peers allowed to put something else first while the winner still counts as "nearly every". */
  dissent: (peers: number) => number;
}

export const verdictRule: VerdictRule = {
  closeMargin: 0.1,
  dissent: (peers) => (peers >= 5 ? 1 : 0),
};

export function judgeVerdict(
  ballots: readonly Ballot[],
  table: readonly AggregateRow[],
  labelToModel: Readonly<Record<string, string>>,
  rule: VerdictRule = verdictRule,
): CouncilVerdict {
  const peerBallots = ballots.map((b) => peerBallot(b, labelToModel)).filter((b) => b.shown.length >= 2);
  const [top, runnerUp] = table;
  if (top === undefined || runnerUp === undefined || peerBallots.length === 0) {
    return {
      kind: 'unranked',
      models: [],
      firstPlaces: {},
      peers: 0,
      sentence:
        'With two answers each reviewer judged only the other one, so there is no peer ranking: read both answers.',
    };
  }
  const firstPlaces = countFirstPlaces(peerBallots, labelToModel);
  const firstOf = (model: string) => firstPlaces[model] ?? 0;
  const judgedBy = (model: string) => peerBallots.filter((b) => b.shown.some((l) => labelToModel[l] === model));
  const peersOfTop = judgedBy(top.model).length;
  const isAlone = runnerUp.place !== 1;
  const evidence = `ranked first by ${firstOf(top.model)} of ${peersOfTop} peer${peersOfTop === 1 ? '' : 's'}`;

  const isNearlyUnanimous = peersOfTop > 0 && firstOf(top.model) >= peersOfTop - rule.dissent(peersOfTop);
  if (isAlone && isNearlyUnanimous) {
    return verdict('clear_winner', [top.model], firstPlaces, peerBallots.length, `${top.model} ${evidence}.`);
  }
  const near = table.filter((row) => top.score - row.score < rule.closeMargin - 1e-9).map((row) => row.model);
  if (near.length >= 2) {
    const how = table.filter((row) => row.place === 1).length >= 2 ? 'share first place' : 'are within a whisker';
    const firsts = near.map((model) => `${model} ${firstOf(model)}`).join(', ');
    return verdict(
      'close',
      near,
      firstPlaces,
      peerBallots.length,
      `${joinNames(near)} ${how} (scores ${near.map((m) => formatScore(scoreOf(table, m))).join(' / ')} on a 0–1 scale; first places: ${firsts}).`,
    );
  }
  const spread = Object.entries(firstPlaces)
    .sort((a, b) => b[1] - a[1])
    .map(([model, n]) => `${model} ${n}`)
    .join(', ');
  return verdict(
    'split',
    [top.model],
    firstPlaces,
    peerBallots.length,
    `${top.model} leads, but was ${evidence}; the first places were spread: ${spread}.`,
  );
}

function verdict(
  kind: CouncilVerdict['kind'],
  models: string[],
  firstPlaces: Record<string, number>,
  peers: number,
  sentence: string,
): CouncilVerdict {
  return { kind, models, firstPlaces, peers, sentence };
}

/** Each model's count of peer ballots that put it first, alone (a partial ballot's first counts). */
function countFirstPlaces(ballots: readonly Ballot[], labelToModel: Readonly<Record<string, string>>) {
  const counts: Record<string, number> = {};
  for (const ballot of ballots) {
    const places = placesOf(ballot.ranking, ballot.shown);
    const firsts = [...places].filter(([, place]) => place === 0).map(([label]) => labelToModel[label]);
    const [first] = firsts;
    if (firsts.length === 1 && first !== undefined) counts[first] = (counts[first] ?? 0) + 1;
  }
  return counts;
}

const scoreOf = (table: readonly AggregateRow[], model: string) => table.find((r) => r.model === model)?.score ?? 0;
const formatScore = (score: number) => score.toFixed(2);

function joinNames(models: readonly string[]): string {
  if (models.length <= 2) return models.join(' and ');
  return `${models.slice(0, -1).join(', ')} and ${models.at(-1) ?? ''}`;
}
