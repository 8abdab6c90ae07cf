import { Show } from 'solid-js';
import { CrownIcon, RetryIcon } from '../ui/icons';
import { describeAnswerBasis } from './answer-basis';
import { AnswerBody } from './answer-body';
import { AnswerSources } from './answer-sources';
import { CopyButton } from './copy-button';
import { shortModelName } from './model-names';
import { standingAnswer, type RunState } from './run-state';

/** The chairman's failure when a council member wrote the synthesis in its place. */
function standIn(state: RunState): RunState['chairmanFailure'] {
  const failure = state.chairmanFailure;
  return failure && state.stage3.model !== failure.model ? failure : null;
}

/**
 * Stage 3: the chairman's synthesis, the answer most readers came for, so it comes first and
 * says what it rests on (how many members answered, how many reviews ranked them).
 */
export function Stage3Panel(props: {
  state: RunState;
  onRetry?: (() => void) | undefined;
  /** A new synthesis over the same answers and reviews, as a new version of the turn. */
  onRegenerate?: (() => void) | undefined;
}) {
  return (
    <section
      class="final-answer"
      aria-label="Final answer"
      classList={{ 'is-failed': props.state.stage3.status === 'failed' }}
    >
      <header class="final-answer-head">
        <h3>Final answer</h3>
        <Show
          when={standIn(props.state)}
          fallback={
            <span class="chairman" title={props.state.stage3.model}>
              <CrownIcon /> Chairman: {shortModelName(props.state.stage3.model)}
            </span>
          }
        >
          {(failure) => (
            <span class="chairman is-stand-in" title={failure().error?.message ?? undefined}>
              <CrownIcon /> Chairman {shortModelName(failure().model)} failed; synthesis by{' '}
              {shortModelName(props.state.stage3.model)}
            </span>
          )}
        </Show>
        <Show when={props.state.stage3.status === 'done' && props.state.stage3.text}>
          {(text) => <CopyButton text={text()} label="Copy the final answer" />}
        </Show>
        <Show when={props.onRegenerate}>
          {(regenerate) => (
            <button type="button" class="button button-small" onClick={() => regenerate()()}>
              <RetryIcon /> Regenerate<span class="sr-only"> the final answer</span>
            </button>
          )}
        </Show>
      </header>
      <Show when={props.state.phases.stage1 !== 'pending'}>
        <p class="answer-basis">{describeAnswerBasis(props.state)}</p>
      </Show>
      <AnswerBody
        slot={props.state.stage3}
        waitingText="The chairman is weighing the answers and reviews…"
        onRetry={props.onRetry}
      />
    </section>
  );
}

/**
 * What a run without a chairman stands on, in place of a synthesis: in `ranked` mode the answer
 * the council ranked first, in `answers` mode the first answer in council order (the one the
 * conversation keeps as its reply). It says which mode made it, so it never passes for a synthesis.
 */
export function ModeAnswerPanel(props: { state: RunState }) {
  // The SDK picks it, so the CLI, askCouncil and the MCP tool stand on the same answer.
  const chosen = () => standingAnswer(props.state);
  const model = () => chosen()?.model;
  const slot = () => chosen()?.slot;
  const note = () =>
    props.state.mode === 'ranked'
      ? 'Ranked mode: answers and peer review, no synthesis. This is the answer the council ranked first.'
      : `Answers only: no peer review or synthesis${props.state.models.length > 1 ? '. Every answer is under “How the council got here”.' : '.'}`;
  return (
    <section class="final-answer" aria-label="Final answer">
      <header class="final-answer-head">
        <h3>{props.state.mode === 'ranked' ? 'Top-ranked answer' : 'Answer'}</h3>
        <Show when={model()}>
          {(chosen) => (
            <span class="chairman" title={chosen()}>
              {shortModelName(chosen())}
            </span>
          )}
        </Show>
        <Show when={slot()?.status === 'done' && slot()?.text}>
          {(text) => <CopyButton text={text()} label="Copy the answer" />}
        </Show>
      </header>
      <p class="answer-basis">{note()}</p>
      <Show when={slot()}>
        {(chosen) => (
          <>
            <AnswerBody slot={chosen()} waitingText="" />
            <AnswerSources sources={chosen().sources} model={shortModelName(chosen().model)} />
          </>
        )}
      </Show>
    </section>
  );
}
