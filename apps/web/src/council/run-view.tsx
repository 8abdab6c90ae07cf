import { Show, onCleanup, onMount } from 'solid-js';
import { useClient } from '../client-context';
import { createMutation } from '../ui/create-mutation';
import { ErrorNotice } from '../ui/error-notice';
import { describeUsage } from '../usage/usage-format';
import { RetryIcon } from '../ui/icons';
import type { CouncilEvent } from './council-types';
import { createLiveRun, type LiveRun } from './live-run';
import { ProgressStrip } from './progress-strip';
import { isLive, isRetryable, type RunState, type StagePhase } from './run-state';
import { Stage1Panel } from './stage1-panel';
import { Stage2Panel } from './stage2-panel';
import { ModeAnswerPanel, Stage3Panel } from './stage3-panel';
import './council.css';

const PHASE_WORDS: Record<StagePhase, string> = {
  pending: 'waiting',
  running: 'in progress',
  done: 'done',
  failed: 'failed',
  stopped: 'stopped',
};

/**
 * Everything one council run produced, live or finished: progress, the final answer first, then
 * "How the council got here" (stages 1 and 2), and Retry where something failed. The view owns
 * the run's live state: it follows a live run from `initial` while it is shown, and stops when it
 * goes; `onShown` lets the page around it see the run (to stop it, say) for as long as it is shown.
 */
export function RunView(props: {
  initial: RunState;
  onEvent?: ((event: CouncilEvent) => void) | undefined;
  onShown?: ((run: LiveRun) => () => void) | undefined;
  /** A new version of this finished turn: the final answer again, or one model's answer (and what follows). */
  onRegenerate?: ((model?: string) => void) | undefined;
}) {
  // The run this view was made for: a new run is a new view.
  const run = createLiveRun(useClient().council, props.initial, (event) => props.onEvent?.(event));
  const hidden = props.onShown?.(run);
  if (hidden) onCleanup(hidden);
  onMount(() => {
    if (isLive(run.state.status)) run.follow();
  });
  const state = () => run.state;
  // Open while the council works, and whenever there is no final answer to read instead.
  const isPathOpen = () => isLive(state().status) || state().stage3.status !== 'done';
  const retrying = createMutation(() => run.retry());
  const isRetrying = retrying.pending;
  const canRetry = () => isRetryable(state()) && !isRetrying();
  const retry = () => retrying.run();
  const retryAction = () => (canRetry() ? () => void retry() : undefined);
  const regenerate = () => (state().status === 'completed' ? props.onRegenerate : undefined);

  return (
    <section class="council-run" aria-label="Council answer" aria-busy={isLive(state().status)}>
      <Show when={state().status !== 'completed'}>
        <ProgressStrip state={state()} />
      </Show>
      <Show when={run.connection() === 'reconnecting'}>
        <div class="notice notice-info" role="status">
          <p>Reconnecting… the council keeps working meanwhile, and nothing it says is lost.</p>
        </div>
      </Show>
      <Show when={run.connection() === 'lost'}>
        <ErrorNotice message={`Lost the live connection: ${run.connectionError() ?? ''}`}>
          <button type="button" class="button button-small" onClick={() => run.follow()}>
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
      <Show when={retrying.error()}>{(error) => <ErrorNotice message={error().message} code={error().code} />}</Show>

      <Show
        when={state().mode === 'full'}
        fallback={
          <Show when={state().status === 'completed'}>
            <ModeAnswerPanel state={state()} />
          </Show>
        }
      >
        <Show when={state().phases.stage3 !== 'pending'}>
          <Stage3Panel state={state()} onRetry={retryAction()} onRegenerate={regenerate()} />
        </Show>
      </Show>

      {/* How the answer came about: open while the run streams (so the live text stays in view),
          collapsed once it is over and the final answer says it all. */}
      <details class="stage council-path" open={isPathOpen()}>
        <summary>
          <span class="stage-title">How the council got here</span>
        </summary>
        <section class="stage-section" aria-label="Stage 1 · Individual answers">
          <h3 class="stage-heading">
            Stage 1 · Individual answers{' '}
            <span class={`stage-phase phase-${state().phases.stage1}`}>{PHASE_WORDS[state().phases.stage1]}</span>
          </h3>
          <Stage1Panel state={state()} onRetry={retryAction()} onRegenerate={regenerate()} />
        </section>
        <Show when={state().phases.stage2 !== 'pending'}>
          <section class="stage-section" aria-label="Stage 2 · Peer rankings">
            <h3 class="stage-heading">
              Stage 2 · Peer rankings{' '}
              <span class={`stage-phase phase-${state().phases.stage2}`}>{PHASE_WORDS[state().phases.stage2]}</span>
            </h3>
            <Stage2Panel state={state()} />
          </section>
        </Show>
      </details>
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
