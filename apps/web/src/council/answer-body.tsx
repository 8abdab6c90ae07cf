import { Match, Show, Switch } from 'solid-js';
import { MarkdownView } from '../markdown/markdown-view';
import { RetryIcon } from '../ui/icons';
import type { AnswerSlot } from './run-state';

/**
 * The body of one model's answer in whatever state it is: waiting, thinking (a reasoning model,
 * its thoughts folded away but live), streaming, done, failed, stopped.
 */
export function AnswerBody(props: { slot: AnswerSlot; waitingText: string; onRetry?: (() => void) | undefined }) {
  const isThinking = () => props.slot.status === 'streaming' && props.slot.text === '' && props.slot.reasoning !== '';
  return (
    <div class="answer-body">
      <Show when={props.slot.reasoning}>
        {(reasoning) => (
          <details class="answer-thinking">
            <summary>{isThinking() ? 'Thinking…' : 'How it reasoned'}</summary>
            <p class="answer-thinking-text" aria-live="off">
              {reasoning()}
            </p>
          </details>
        )}
      </Show>
      <Switch>
        <Match when={isThinking()}>
          <p class="answer-waiting">
            <span class="typing-dots" aria-hidden="true">
              <span />
              <span />
              <span />
            </span>
            Thinking before it answers…
          </p>
        </Match>
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
  if (slot.usage) {
    const reasoning = slot.usage.reasoningTokens;
    parts.push(
      `${slot.usage.totalTokens.toLocaleString()} tokens${reasoning ? ` (${reasoning.toLocaleString()} reasoning)` : ''}`,
    );
  }
  if (slot.usage?.cost != null) parts.push(`$${slot.usage.cost.toFixed(slot.usage.cost < 0.01 ? 4 : 3)}`);
  return parts.join(' · ');
}
