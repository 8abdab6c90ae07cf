import { For, Show } from 'solid-js';
import type { AggregateRanking } from './council-types';
import { shortModelName } from './model-names';
import './ranking-table.css';

/**
 * Competition ranking ("1, 2, 2, 4"): models with the same average share a place, so a tie is
 * not presented as a win for whichever the server happened to list first.
 */
export function rankPositions(aggregate: readonly AggregateRanking[]): number[] {
  return aggregate.map((row, index) => {
    const first = aggregate.findIndex((other) => other.averageRank === row.averageRank);
    return (first === -1 ? index : first) + 1;
  });
}

/** The aggregate "street cred" table: how the council ranked its members, lower average is better. */
export function RankingTable(props: { aggregate: AggregateRanking[]; modelCount: number }) {
  const positions = () => rankPositions(props.aggregate);
  // Bars show the average rank against the worst possible one, so 1.00 fills the bar.
  const strength = (averageRank: number) => {
    const worst = Math.max(props.modelCount, 2);
    return Math.max(0.06, (worst - averageRank) / (worst - 1));
  };
  return (
    <div class="ranking">
      <table class="ranking-table">
        <caption>Aggregate ranking (street cred)</caption>
        <thead>
          <tr>
            <th scope="col">Rank</th>
            <th scope="col">Model</th>
            <th scope="col">Average rank</th>
            <th scope="col">Votes</th>
          </tr>
        </thead>
        <tbody>
          <For each={props.aggregate}>
            {(row, index) => (
              <tr classList={{ 'is-top': positions()[index()] === 1 }}>
                <td class="ranking-place">#{positions()[index()]}</td>
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
                <td class="ranking-votes">{row.rankingsCount}</td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
      <Show when={props.aggregate.length === 0}>
        <p class="muted">No reviewer produced a ranking that could be read.</p>
      </Show>
    </div>
  );
}
