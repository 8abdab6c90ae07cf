import { Match, Show, Switch } from 'solid-js';
import { MarkdownView } from '../markdown/markdown-view';
import { RetryIcon } from '../ui/icons';
import type { AnswerSlot } from './run-state';

/** The body of one model's answer in whatever state it is: waiting, streaming, done, failed, stopped. */
export function AnswerBody(props: { slot: AnswerSlot; waitingText: string; onRetry?: (() => void) | undefined }) {
  return (
    <div class="answer-body">
      <Switch>
        <Match when={props.slot.status === 'waiting' && props.slot.text === ''}>
          <p class="answer-waiting">
            <span class="typing-dots" aria-hidden="true">
              <span />
              <span />
              <span />
            </span>
            {props.waitingText}
          </p>
        </Match>
        <Match when={props.slot.text !== ''}>
          <MarkdownView source={props.slot.text} isStreaming={props.slot.status === 'streaming'} />
        </Match>
      </Switch>
      <Show when={props.slot.status === 'failed'}>
        <div class="answer-failure" role="alert">
          <p>
            <strong>{props.slot.text === '' ? 'No answer.' : 'The answer stopped early.'}</strong>{' '}
            {props.slot.error?.message ?? 'The model failed.'}
          </p>
          <Show when={props.onRetry}>
            {(retry) => (
              <button type="button" class="button button-small" onClick={() => retry()()}>
                <RetryIcon /> Retry
              </button>
            )}
          </Show>
        </div>
      </Show>
      <Show when={props.slot.status === 'stopped'}>
        <p class="answer-stopped">Stopped before it finished.</p>
      </Show>
      <Show when={props.slot.status === 'late'}>
        <p class="answer-stopped">
          Too late: no answer before the stage's deadline, so the council went on without it.
        </p>
      </Show>
      <Show when={props.slot.status === 'done' && (props.slot.usage || props.slot.durationMs)}>
        <p class="answer-meta">{describeUsage(props.slot)}</p>
      </Show>
    </div>
  );
}

function describeUsage(slot: AnswerSlot): string {
  const parts: string[] = [];
  if (slot.durationMs) parts.push(`${(slot.durationMs / 1000).toFixed(1)} s`);
  if (slot.usage) parts.push(`${slot.usage.totalTokens.toLocaleString()} tokens`);
  if (slot.usage?.cost != null) parts.push(`$${slot.usage.cost.toFixed(slot.usage.cost < 0.01 ? 4 : 3)}`);
  return parts.join(' · ');
}
