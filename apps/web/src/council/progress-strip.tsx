import { For, Show } from 'solid-js';
import { CrownIcon } from '../ui/icons';
import { shortModelName } from './model-names';
import { progressChips, progressSummary } from './progress';
import type { RunState } from './run-state';
import './progress-strip.css';

/**
 * The live overview of a run: a status sentence (announced politely to screen readers — per-stage,
 * never per-token) and one chip per council member plus the chairman. A failed chip carries its
 * reason both as visible text and as the tooltip.
 */
export function ProgressStrip(props: { state: RunState }) {
  const chips = () => progressChips(props.state);
  return (
    <div class="progress">
      <p class="progress-summary" role="status" aria-live="polite">
        <Show when={props.state.status === 'queued' || props.state.status === 'running'}>
          <span class="spinner spinner-small" aria-hidden="true" />
        </Show>
        {progressSummary(props.state)}
      </p>
      <ul class="chips" aria-label="Council members">
        <For each={chips()}>
          {(chip) => (
            <li
              class={`chip chip-${chip.status}`}
              classList={{ 'chip-chairman': chip.isChairman }}
              title={chip.reason ?? `${chip.model}: ${chip.activity}`}
            >
              <span class="chip-dot" aria-hidden="true" />
              <Show when={chip.isChairman}>
                <CrownIcon />
                <span class="sr-only">Chairman </span>
              </Show>
              <span class="chip-name">{shortModelName(chip.model)}</span>
              <span class="chip-activity">
                {chip.activity}
                <Show when={chip.reason}>: {chip.reason}</Show>
              </span>
            </li>
          )}
        </For>
      </ul>
    </div>
  );
}
