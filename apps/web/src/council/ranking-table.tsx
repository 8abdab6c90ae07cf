import { sharedPlaces, verdictHeadlines } from '@llm-council/sdk';
import { For, Show, createSignal } from 'solid-js';
import type { AggregateRanking, Agreement, Verdict } from './council-types';
import { shortModelName } from './model-names';
import './ranking-table.css';

/** The places to show, "1, 1, 3" style: equal scores share a place, with no tie-break. */
export const rankPositions = sharedPlaces;

const agreementHelp =
  "Kendall's W measures how far the reviewers' whole rankings agree: 0 = no agreement, 1 = identical rankings. The p-value is the chance of agreement this high if every reviewer had ranked at random.";

/** "W 0.42 · p 0.03"; "not measurable" when fewer than two complete rankings exist. */
export function agreementText(agreement: Agreement): string {
  if (agreement.kendallW === null) return 'agreement not measurable';
  const p =
    agreement.pValue === null ? '' : ` · p ${agreement.pValue < 0.001 ? '< 0.001' : agreement.pValue.toFixed(3)}`;
  return `agreement W ${agreement.kendallW.toFixed(2)}${p}`;
}

/** The verdict, then its figures behind a disclosure (W and p mean nothing to most readers). */
export function VerdictSummary(props: { verdict: Verdict; agreement?: Agreement | null }) {
  return (
    <div class={`verdict verdict-${props.verdict.kind.replace('_', '-')}`} role="group" aria-label="Verdict">
      <p class="verdict-line">
        <strong class="verdict-headline">{verdictHeadlines[props.verdict.kind]}</strong>{' '}
        <span class="verdict-sentence">{props.verdict.sentence}</span>
      </p>
      <Show when={props.agreement}>
        {(agreement) => (
          <details class="verdict-details">
            <summary>Details</summary>
            <p>
              {agreementText(agreement())}. {agreementHelp}
            </p>
          </details>
        )}
      </Show>
    </div>
  );
}

/**
 * The "street cred" table: the verdict in plain words first, then each answer judged only by the
 * other reviewers (self-votes apart, in their own column). Ties share a place, and the table says
 * there is no tie-break. A toggle shows the table with self-votes counted, to see what they would
 * have changed. With no peer ranking (a council of two) a sentence stands in for the table.
 */
export function RankingTable(props: {
  aggregate: AggregateRanking[];
  modelCount: number;
  verdict?: Verdict | null;
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
  const hasTie = () => positions().some((_, index) => isShared(index));
  return (
    <div class="ranking">
      <Show when={props.verdict}>
        {(verdict) => <VerdictSummary verdict={verdict()} agreement={props.agreement} />}
      </Show>
      <Show when={props.aggregate.length > 0}>
        <table class="ranking-table reflow-table">
          <caption>{isAllVotes() ? 'All votes, self-votes counted' : 'Peer ranking (street cred)'}</caption>
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
                  <td class="ranking-place" data-label="Place">
                    <span>
                      #{positions()[index()]}
                      <Show when={isShared(index())}>
                        <span class="ranking-tie"> (tie)</span>
                      </Show>
                    </span>
                  </td>
                  <th scope="row" class="ranking-model" title={row.model}>
                    {shortModelName(row.model)}
                  </th>
                  <td class="ranking-average" data-label="Average rank">
                    <div class="ranking-average-cell">
                      <span class="ranking-bar" aria-hidden="true">
                        <span style={{ width: `${Math.round(strength(row.averageRank) * 100)}%` }} />
                      </span>
                      {row.averageRank.toFixed(2)}
                    </div>
                  </td>
                  <td class="ranking-votes" data-label="Votes">
                    <span>{row.votes ?? row.rankingsCount}</span>
                  </td>
                  <td class="ranking-self" data-label="Own vote">
                    <span>{row.selfRank == null ? '–' : `#${row.selfRank}`}</span>
                  </td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
        <Show when={hasTie()}>
          <p class="ranking-note muted">Equal scores share a place; there is no tie-break.</p>
        </Show>
      </Show>
      <Show when={props.aggregate.length > 0 && (props.allVotes?.length ?? 0) > 0}>
        <button
          type="button"
          class="link-button ranking-toggle"
          aria-pressed={isAllVotes()}
          onClick={() => setAllVotes(!isAllVotes())}
        >
          {isAllVotes() ? 'Show the peer ranking' : 'Show with self-votes counted'}
        </button>
      </Show>
      <Show when={props.aggregate.length === 0 && props.verdict?.kind !== 'unranked'}>
        <p class="muted">
          {props.modelCount === 2
            ? 'With two answers each reviewer judges only the other one, so there is no peer ranking.'
            : 'No reviewer produced a ranking that could be read.'}
        </p>
      </Show>
    </div>
  );
}
