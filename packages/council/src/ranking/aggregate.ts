/**
 * The "street cred" table: a Borda count over peer ballots. Each ballot is normalised (best 1,
 * worst 0) so a reviewer who saw more answers does not weigh more, and a reviewer's rank of its
 * own answer is taken out before counting (kept apart as `selfRank`): models recognise and favour
 * their own writing, and a table that counts that measures vanity, not quality.
 */

export interface Ballot {
  reviewer: string;
  /** Labels best first; may be partial (only ballots that count are passed in). */
  ranking: readonly string[];
  /** Every label the reviewer was shown. */
  shown: readonly string[];
}

export interface AggregateRow {
  model: string;
  /** 1-based; tied models share a place (1, 1, 3). */
  place: number;
  /** Mean normalised Borda points over peer ballots, 0 (always last) to 1 (always first). */
  score: number;
  /** Mean 1-based rank over peer ballots (lower is better). */
  averageRank: number;
  /** Peer ballots that ranked this model. */
  votes: number;
  /** How this model ranked its own answer, or null if it did not review or left it out. */
  selfRank: number | null;
  /** Same as `votes`; kept for clients written before peer-only counting. */
  rankingsCount: number;
}

/** A ballot as places: label → 0-based place, where unlisted labels share the remaining places. */
export function placesOf(ranking: readonly string[], shown: readonly string[]): Map<string, number> {
  const places = new Map<string, number>();
  const listed = [...new Set(ranking)].filter((label) => shown.includes(label));
  listed.forEach((label, index) => places.set(label, index));
  const rest = shown.filter((label) => !places.has(label));
  // A partial ballot gives its unlisted answers the average of the places left, never a free pass.
  const averageLeft = listed.length + (rest.length - 1) / 2;
  for (const label of rest) places.set(label, averageLeft);
  return places;
}

/** The ballot with the reviewer's own answer removed; places close up around the gap. */
export function peerBallot(ballot: Ballot, labelToModel: Readonly<Record<string, string>>): Ballot {
  const isOwn = (label: string) => labelToModel[label] === ballot.reviewer;
  return {
    reviewer: ballot.reviewer,
    ranking: ballot.ranking.filter((label) => !isOwn(label)),
    shown: ballot.shown.filter((label) => !isOwn(label)),
  };
}

/** Models in `group`, each with how many ballots put it above each other member. */
export function pairwiseWins(ballots: readonly Ballot[], labelToModel: Readonly<Record<string, string>>) {
  const wins = new Map<string, Map<string, number>>();
  for (const ballot of ballots) {
    const places = placesOf(ballot.ranking, ballot.shown);
    for (const [a, placeA] of places) {
      for (const [b, placeB] of places) {
        if (placeA >= placeB) continue;
        const modelA = labelToModel[a] as string;
        const modelB = labelToModel[b] as string;
        const row = wins.get(modelA) ?? new Map<string, number>();
        row.set(modelB, (row.get(modelB) ?? 0) + 1);
        wins.set(modelA, row);
      }
    }
  }
  return (a: string, b: string): number => wins.get(a)?.get(b) ?? 0;
}

/**
 * The peer-only table, best first. Scores are compared unrounded; equal scores share a place,
 * whatever the model ids or the head-to-head counts.
 */
export function aggregateBallots(
  ballots: readonly Ballot[],
  labelToModel: Readonly<Record<string, string>>,
  options: { includeSelfVotes?: boolean } = {},
): AggregateRow[] {
  const counted = options.includeSelfVotes ? [...ballots] : ballots.map((b) => peerBallot(b, labelToModel));
  const points = new Map<string, { score: number; rank: number; votes: number }>();
  for (const ballot of counted) {
    if (ballot.shown.length < 2) continue; // One answer left: a ballot with no comparison in it.
    for (const [label, place] of placesOf(ballot.ranking, ballot.shown)) {
      const model = labelToModel[label];
      if (model === undefined) continue;
      const entry = points.get(model) ?? { score: 0, rank: 0, votes: 0 };
      entry.score += 1 - place / (ballot.shown.length - 1);
      entry.rank += place + 1;
      entry.votes += 1;
      points.set(model, entry);
    }
  }
  const selfRanks = new Map(
    ballots.map((b) => {
      const own = b.ranking.findIndex((label) => labelToModel[label] === b.reviewer);
      return [b.reviewer, own < 0 ? null : own + 1] as const;
    }),
  );
  const rows = Array.from(points, ([model, p]) => ({
    model,
    score: p.score / p.votes,
    averageRank: p.rank / p.votes,
    votes: p.votes,
  }));
  rows.sort((a, b) => b.score - a.score);
  // Equal scores share a place (1, 1, 3). No tie-break: head-to-head counts between tied answers
  // rest on the same few ballots, and a place nobody can explain reads as a win it is not.
  return rows.map((row) => {
    const firstEqual = rows.findIndex((other) => isSameScore(other.score, row.score));
    return { ...row, place: firstEqual + 1, selfRank: selfRanks.get(row.model) ?? null, rankingsCount: row.votes };
  });
}

function isSameScore(a: number | undefined, b: number | undefined): boolean {
  // Sums of fractions like 1/3 + 2/3 differ in the last bits; that is not a real difference.
  return a !== undefined && b !== undefined && Math.abs(a - b) < 1e-9;
}
