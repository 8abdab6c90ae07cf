import { For, Match, Show, Switch, createSignal } from 'solid-js';
import { MarkdownView } from '../markdown/markdown-view';
import { Tabs } from '../ui/tabs';
import { shortModelName } from './model-names';
import { RankingTable } from './ranking-table';
import { ReviewMeta } from './review-meta';
import { rankedModels, replaceLabels } from './review-labels';
import { emptyReview, type RunState } from './run-state';
import { StatusLabel } from './status-label';

/**
 * Stage 2: one tab per reviewer. Reviewers judged anonymous labels; for the reader each
 * `Response X` is shown as the model's name, with the ranking extracted from the review beneath
 * it and the council's aggregate ranking after all reviews.
 */
export function Stage2Panel(props: { state: RunState }) {
  const reviewers = () => props.state.models.filter((m) => props.state.stage2[m] !== undefined);
  const [picked, setPicked] = createSignal<string | null>(null);
  const selected = () => {
    const choice = picked();
    return choice !== null && reviewers().includes(choice) ? choice : (reviewers()[0] ?? '');
  };
  const review = () => props.state.stage2[selected()] ?? emptyReview(selected());
  const legend = () =>
    Object.entries(props.state.labelToModel).map(
      ([label, model]) => `${label.replace('Response ', '')} = ${shortModelName(model)}`,
    );

  return (
    <>
      <Show when={legend().length > 0}>
        <p class="label-legend">Reviewers saw anonymous labels: {legend().join(', ')}.</p>
      </Show>
      <Show when={reviewers().length > 0}>
        <Tabs
          label="Reviews by model"
          items={reviewers().map((r) => ({
            id: r,
            label: <StatusLabel name={shortModelName(r)} status={props.state.stage2[r]?.status ?? 'waiting'} />,
            title: r,
          }))}
          selected={selected()}
          onSelect={setPicked}
        >
          <Switch>
            <Match when={review().status === 'waiting'}>
              <p class="answer-waiting">
                <span class="spinner spinner-small" aria-hidden="true" /> {shortModelName(selected())} is reviewing the
                anonymised answers…
              </p>
            </Match>
            <Match when={review().status === 'failed'}>
              <p class="answer-failure" role="alert">
                <strong>No review.</strong> {review().error?.message ?? 'The reviewer failed.'}
              </p>
            </Match>
            <Match when={review().status === 'late'}>
              <p class="answer-stopped">Missed the review deadline; left out of the ranking.</p>
            </Match>
            <Match when={review().status === 'stopped'}>
              <p class="answer-stopped">Stopped before the review finished.</p>
            </Match>
            <Match when={review().status === 'done'}>
              <ReviewMeta review={review()} labelToModel={props.state.labelToModel} />
              <MarkdownView source={replaceLabels(review().content, props.state.labelToModel)} />
              <div class="extracted-ranking">
                <h4>Extracted ranking</h4>
                <Show
                  when={review().parsedRanking.length > 0}
                  fallback={<p class="muted">No ranking could be read from this review.</p>}
                >
                  <ol>
                    <For each={rankedModels(review().parsedRanking, props.state.labelToModel)}>
                      {(entry) => (
                        <li title={entry.model ?? entry.label}>
                          {entry.model ? shortModelName(entry.model) : entry.label}
                        </li>
                      )}
                    </For>
                  </ol>
                </Show>
              </div>
            </Match>
          </Switch>
        </Tabs>
      </Show>
      <Show when={props.state.phases.stage2 === 'done' || props.state.aggregate.length > 0}>
        <RankingTable
          aggregate={props.state.aggregate}
          verdict={props.state.verdict}
          agreement={props.state.agreement}
          allVotes={props.state.allVotes}
          modelCount={Object.keys(props.state.labelToModel).length}
        />
      </Show>
    </>
  );
}
