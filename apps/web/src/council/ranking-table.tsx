import { For, Show, createSignal } from 'solid-js';
import type { AggregateRanking, Agreement } from './council-types';
import { shortModelName } from './model-names';
import './ranking-table.css';

/**
 * The places to show, "1, 2, 2, 4" style. The server sends `place` (ties share one, broken only by
 * head-to-head wins); runs stored before that carry only averages, and equal averages share a
 * place so a tie is not presented as a win for whichever row came first.
 */
export function rankPositions(aggregate: readonly AggregateRanking[]): number[] {
  return aggregate.map((row, index) => {
    if (row.place !== undefined) return row.place;
    const first = aggregate.findIndex((other) => other.averageRank === row.averageRank);
    return (first === -1 ? index : first) + 1;
  });
}

const agreementHelp =
  "Contested means the reviewers did not agree beyond chance (Kendall's W, 0 = no agreement, 1 = identical rankings), or the winner changes when any one reviewer is left out.";

/** "W 0.42 · p 0.03" for the badge; "not measurable" when fewer than two complete rankings exist. */
export function agreementText(agreement: Agreement): string {
  if (agreement.kendallW === null) return 'agreement not measurable';
  const p =
    agreement.pValue === null ? '' : ` · p ${agreement.pValue < 0.001 ? '< 0.001' : agreement.pValue.toFixed(3)}`;
  return `agreement W ${agreement.kendallW.toFixed(2)}${p}`;
}

/**
 * The "street cred" table: each answer judged only by the other reviewers (self-votes apart, in
 * their own column). Ties share a place; a contested verdict says so next to the caption. A
 * toggle shows the table with self-votes counted, to see what they would have changed.
 */
export function RankingTable(props: {
  aggregate: AggregateRanking[];
  modelCount: number;
  agreement?: Agreement | null;
  allVotes?: AggregateRanking[];
}) {
  const [isAllVotes, setAllVotes] = createSignal(false);
  const rows = () => (isAllVotes() && props.allVotes?.length ? props.allVotes : props.aggregate);
  const positions = () => rankPositions(rows());
  const isShared = (index: number) => positions().filter((p) => p === positions()[index]).length > 1;
  // Bars show the average rank against the worst possible one, so 1.00 fills the bar. Peer-only
  // ballots leave the reviewer's own answer out, so the worst rank is one less than the answers.
  const strength = (averageRank: number) => {
    const isPeerOnly = !isAllVotes() && props.aggregate.some((row) => row.place !== undefined);
    const worst = Math.max(isPeerOnly ? props.modelCount - 1 : props.modelCount, 2);
    return Math.max(0.06, (worst - averageRank) / (worst - 1));
  };
  return (
    <div class="ranking">
      <table class="ranking-table">
        <caption>
          {isAllVotes() ? 'All votes, self-votes counted' : 'Peer ranking (street cred)'}
          <Show when={props.agreement}>
            {(agreement) => (
              <span
                class="agreement"
                classList={{ 'is-contested': agreement().contested }}
                title={agreementHelp}
                aria-label={`${agreement().contested ? 'Contested verdict' : 'Reviewers agree'}: ${agreementText(agreement())}. ${agreementHelp}`}
              >
                {agreement().contested ? 'contested' : 'agreed'} · {agreementText(agreement())}
              </span>
            )}
          </Show>
        </caption>
        <thead>
          <tr>
            <th scope="col">Place</th>
            <th scope="col">Model</th>
            <th scope="col">Average rank</th>
            <th scope="col">Votes</th>
            <th scope="col" title="How the model ranked its own answer; never counted">
              Own vote
            </th>
          </tr>
        </thead>
        <tbody>
          <For each={rows()}>
            {(row, index) => (
              <tr classList={{ 'is-top': positions()[index()] === 1 }}>
                <td class="ranking-place">
                  #{positions()[index()]}
                  <Show when={isShared(index())}>
                    <span class="ranking-tie"> (tie)</span>
                  </Show>
                </td>
                <th scope="row" class="ranking-model" title={row.model}>
                  {shortModelName(row.model)}
                </th>
                <td class="ranking-average">
                  <div class="ranking-average-cell">
                    <span class="ranking-bar" aria-hidden="true">
                      <span style={{ width: `${Math.round(strength(row.averageRank) * 100)}%` }} />
                    </span>
                    {row.averageRank.toFixed(2)}
                  </div>
                </td>
                <td class="ranking-votes">{row.votes ?? row.rankingsCount}</td>
                <td class="ranking-self">{row.selfRank == null ? '–' : `#${row.selfRank}`}</td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
      <Show when={(props.allVotes?.length ?? 0) > 0}>
        <button
          type="button"
          class="link-button ranking-toggle"
          aria-pressed={isAllVotes()}
          onClick={() => setAllVotes(!isAllVotes())}
        >
          {isAllVotes() ? 'Show the peer ranking' : 'Show with self-votes counted'}
        </button>
      </Show>
      <Show when={props.aggregate.length === 0}>
        <p class="muted">
          {props.modelCount === 2
            ? 'With two answers each reviewer judges only the other one, so there is no peer ranking.'
            : 'No reviewer produced a ranking that could be read.'}
        </p>
      </Show>
    </div>
  );
}
