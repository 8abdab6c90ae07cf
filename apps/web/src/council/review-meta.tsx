import { Show } from 'solid-js';
import type { RankingStatus } from './council-types';
import { shortModelName } from './model-names';
import type { ReviewSlot } from './run-state';

const STATUS_WORDS: Record<RankingStatus, string> = {
  ok: 'ranking read',
  partial: 'partial ranking (unlisted answers share the last places)',
  ambiguous: 'ambiguous ranking, not counted',
  unreadable: 'no readable ranking, not counted',
  truncated: 'cut off by the length limit, not counted',
};

/**
 * How a review was obtained: the order the reviewer read the answers in (each reviewer gets its
 * own, against position bias), how its ranking was read, whether it needed the one repair ask,
 * and its rank of its own answer. Reviews stored before these were kept show nothing here.
 */
export function ReviewMeta(props: { review: ReviewSlot; labelToModel: Record<string, string> }) {
  const name = (label: string) => {
    const model = props.labelToModel[label];
    return model === undefined ? label : shortModelName(model);
  };
  return (
    <dl class="review-meta">
      <Show when={props.review.shownOrder.length > 0}>
        <dt>Read in this order</dt>
        <dd class="review-order">{props.review.shownOrder.map(name).join(' → ')}</dd>
      </Show>
      <Show when={props.review.rankingStatus}>
        {(status) => (
          <>
            <dt>Ranking</dt>
            <dd>
              <span class={`ranking-status ranking-status-${status()}`}>{STATUS_WORDS[status()]}</span>
              <Show when={props.review.repaired}>
                <span
                  class="repaired-badge"
                  title="The first reply had no readable ranking; one follow-up asked for it."
                >
                  repaired
                </span>
              </Show>
            </dd>
          </>
        )}
      </Show>
      <Show when={props.review.repairContent}>
        {(reply) => (
          <>
            <dt>Follow-up reply</dt>
            <dd class="review-repair">{replaceLabelsPlain(reply(), name)}</dd>
          </>
        )}
      </Show>
      <Show when={props.review.selfRank !== null}>
        <dt>Own answer</dt>
        <dd>ranked #{props.review.selfRank} by itself (not counted)</dd>
      </Show>
    </dl>
  );
}

/** The follow-up is one line of labels; names read better, and it is shown as plain text. */
function replaceLabelsPlain(text: string, name: (label: string) => string): string {
  return text.replace(/\bResponse [A-Z]{1,2}\b/g, (label) => name(label));
}
