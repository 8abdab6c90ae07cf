import type { AggregateRanking, Agreement, CouncilEvent, CouncilVerdict } from './events.js';
import { isReadable, type Review } from './ask-reviewer.js';
import { aggregateBallots, pairwiseWins, peerBallot, type AggregateRow, type Ballot } from './ranking/aggregate.js';
import { measureAgreement } from './ranking/agreement.js';
import { judgeVerdict } from './ranking/plain-verdict.js';

export interface Judgement {
  aggregate: AggregateRanking[];
  agreement: Agreement;
  verdict: CouncilVerdict;
  event: Extract<CouncilEvent, { type: 'aggregate_ranked' }>;
}

/**
 * Turns the readable reviews into the `aggregate_ranked` event: the peer-only table (or, with the
 * bias controls off, the table that counts self-votes), the verdict in plain words, the all-votes
 * table for comparison, the agreement figures and the head-to-head matrix.
 */
export function buildVerdict(
  reviews: readonly Review[],
  labelToModel: Record<string, string>,
  options: { biasControls: boolean },
): Judgement {
  const ballots: Ballot[] = reviews
    .filter((r) => isReadable(r.rankingStatus) && r.parsedRanking.length > 0)
    .map((r) => ({ reviewer: r.reviewer, ranking: r.parsedRanking, shown: r.shownOrder }));
  const peer = aggregateBallots(ballots, labelToModel, { includeSelfVotes: !options.biasControls });
  const allVotes = aggregateBallots(ballots, labelToModel, { includeSelfVotes: true });
  const agreement = measureAgreement(ballots, labelToModel);
  const wins = pairwiseWins(
    ballots.map((b) => peerBallot(b, labelToModel)),
    labelToModel,
  );
  const models = Object.values(labelToModel);
  const pairwise = Object.fromEntries(
    models.map((a) => [a, Object.fromEntries(models.filter((b) => b !== a).map((b) => [b, wins(a, b)]))]),
  );
  const aggregate = peer.map(toEventRow);
  const verdict = judgeVerdict(ballots, aggregateBallots(ballots, labelToModel), labelToModel);
  return {
    aggregate,
    agreement,
    verdict,
    event: {
      type: 'aggregate_ranked',
      aggregate,
      allVotes: allVotes.map(toEventRow),
      agreement,
      verdict,
      pairwiseWins: pairwise,
    },
  };
}

function toEventRow(row: AggregateRow): AggregateRanking {
  return {
    model: row.model,
    place: row.place,
    score: row.score,
    averageRank: row.averageRank,
    votes: row.votes,
    selfRank: row.selfRank,
    rankingsCount: row.rankingsCount,
  };
}

/**
 * The verdict of a run stored before verdicts were kept, derived from its stored reviews the way
 * the engine would have (reviews stored before reading orders were kept saw every label).
 */
export function verdictFromReviews(
  reviews: readonly { reviewer: string; parsedRanking: readonly string[]; shownOrder?: readonly string[] }[],
  labelToModel: Record<string, string>,
): CouncilVerdict {
  const labels = Object.keys(labelToModel);
  const ballots: Ballot[] = reviews
    .filter((r) => r.parsedRanking.length > 0)
    .map((r) => ({
      reviewer: r.reviewer,
      ranking: r.parsedRanking,
      shown: r.shownOrder && r.shownOrder.length > 0 ? r.shownOrder : labels,
    }));
  return judgeVerdict(ballots, aggregateBallots(ballots, labelToModel), labelToModel);
}
