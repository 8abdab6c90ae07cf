import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '@llm-council/api';

/** Every procedure's input type, e.g. `RouterInputs['conversations']['create']`. */
export type RouterInputs = inferRouterInputs<AppRouter>;
/** Every procedure's output type, e.g. `RouterOutputs['conversations']['get']`. */
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type { AppRouter };

type StoredRun = RouterOutputs['council']['get'];
/**
 * The council's verdict in plain words: `kind` is `clear_winner` (first for every or nearly every
 * peer), `close` (two or more within a margin), `split` (no agreement) or `unranked` (a council of
 * two: no peer ranking); `sentence` carries the evidence, e.g. "x ranked first by 3 of 3 peers."
 * Kendall's W and its p-value are in the run's `agreement`.
 */
export type CouncilVerdict = NonNullable<StoredRun['verdict']>;
/**
 * One row of the peer ranking, best first. Tied rows share a `place` (1, 1, 3): there is no
 * tie-break (`sharedPlaces(rows)` recomputes places the same way for runs stored before that).
 */
export type PeerRankingRow = NonNullable<StoredRun['aggregate']>[number];
