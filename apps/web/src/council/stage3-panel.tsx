import { CrownIcon } from '../ui/icons';
import { AnswerBody } from './answer-body';
import { shortModelName } from './model-names';
import type { RunState } from './run-state';

/** Stage 3: the chairman's synthesis, the answer most readers came for, so it stands out. */
export function Stage3Panel(props: { state: RunState; onRetry?: (() => void) | undefined }) {
  return (
    <section
      class="final-answer"
      aria-label="Final answer"
      classList={{ 'is-failed': props.state.stage3.status === 'failed' }}
    >
      <header class="final-answer-head">
        <h3>Final answer</h3>
        <span class="chairman" title={props.state.stage3.model}>
          <CrownIcon /> Chairman: {shortModelName(props.state.stage3.model)}
        </span>
      </header>
      <AnswerBody
        slot={props.state.stage3}
        waitingText="The chairman is weighing the answers and reviews…"
        onRetry={props.onRetry}
      />
    </section>
  );
}
