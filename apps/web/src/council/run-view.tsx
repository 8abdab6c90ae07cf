import { Show, createSignal } from 'solid-js';
import { describeError, type UiError } from '../ui/describe-error';
import { ErrorNotice } from '../ui/error-notice';
import { describeUsage } from '../usage/usage-format';
import { RetryIcon } from '../ui/icons';
import type { LiveRun } from './live-run';
import { ProgressStrip } from './progress-strip';
import { isLive, isRetryable, type StagePhase } from './run-state';
import { Stage1Panel } from './stage1-panel';
import { Stage2Panel } from './stage2-panel';
import { Stage3Panel } from './stage3-panel';
import './council.css';

const PHASE_WORDS: Record<StagePhase, string> = {
  pending: 'waiting',
  running: 'in progress',
  done: 'done',
  failed: 'failed',
  stopped: 'stopped',
};

/**
 * Everything one council run produced, live or finished: progress, the three stages, and Retry
 * where something failed. Stages 1 and 2 are collapsible; they start open on the latest turn.
 */
export function RunView(props: { run: LiveRun; isLatest: boolean }) {
  const state = () => props.run.state;
  const [retryError, setRetryError] = createSignal<UiError | null>(null);
  const [isRetrying, setRetrying] = createSignal(false);
  const canRetry = () => isRetryable(state()) && !isRetrying();

  const retry = async () => {
    setRetryError(null);
    setRetrying(true);
    try {
      await props.run.retry();
    } catch (error) {
      setRetryError(describeError(error));
    } finally {
      setRetrying(false);
    }
  };
  const retryAction = () => (canRetry() ? () => void retry() : undefined);

  return (
    <section class="council-run" aria-label="Council answer" aria-busy={isLive(state().status)}>
      <Show when={state().status !== 'completed'}>
        <ProgressStrip state={state()} />
      </Show>
      <Show when={props.run.connection() === 'reconnecting'}>
        <div class="notice notice-info" role="status">
          <p>Reconnecting… the council keeps working meanwhile, and nothing it says is lost.</p>
        </div>
      </Show>
      <Show when={props.run.connection() === 'lost'}>
        <ErrorNotice message={`Lost the live connection: ${props.run.connectionError() ?? ''}`}>
          <button type="button" class="button button-small" onClick={() => props.run.follow()}>
            Reconnect
          </button>
        </ErrorNotice>
      </Show>
      <Show when={isRetryable(state())}>
        <div class="run-banner" classList={{ 'is-failed': state().status === 'failed' }}>
          <p>
            {state().status === 'failed'
              ? `This run failed${state().error ? `: ${state().error?.message}` : '.'}`
              : state().status === 'cancelled'
                ? 'You stopped this run.'
                : 'This run was interrupted before it finished.'}{' '}
            Retry re-runs only what did not finish.
          </p>
          <button
            type="button"
            class="button button-small button-primary"
            disabled={!canRetry()}
            onClick={() => void retry()}
          >
            <RetryIcon /> {isRetrying() ? 'Retrying…' : 'Retry'}
          </button>
        </div>
      </Show>
      <Show when={retryError()}>{(error) => <ErrorNotice message={error().message} code={error().code} />}</Show>

      <details class="stage" open={props.isLatest}>
        <summary>
          <span class="stage-title">Stage 1 · Individual answers</span>
          <span class={`stage-phase phase-${state().phases.stage1}`}>{PHASE_WORDS[state().phases.stage1]}</span>
        </summary>
        <Stage1Panel state={state()} onRetry={retryAction()} />
      </details>

      <Show when={state().phases.stage2 !== 'pending'}>
        <details class="stage" open={props.isLatest}>
          <summary>
            <span class="stage-title">Stage 2 · Peer rankings</span>
            <span class={`stage-phase phase-${state().phases.stage2}`}>{PHASE_WORDS[state().phases.stage2]}</span>
          </summary>
          <Stage2Panel state={state()} />
        </details>
      </Show>

      <Show when={state().phases.stage3 !== 'pending'}>
        <Stage3Panel state={state()} onRetry={retryAction()} />
      </Show>
      <Show when={!isLive(state().status) && state().usage}>
        {(usage) => (
          <p class="run-usage">
            {usage().isImported ? 'This run (imported; not counted as spend here)' : 'This run'}:{' '}
            {describeUsage(usage())}
          </p>
        )}
      </Show>
    </section>
  );
}
