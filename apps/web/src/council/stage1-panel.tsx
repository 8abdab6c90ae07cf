import { Show, createSignal } from 'solid-js';
import { Tabs } from '../ui/tabs';
import { AnswerBody } from './answer-body';
import { AnswerSources } from './answer-sources';
import { CopyButton } from './copy-button';
import { shortModelName } from './model-names';
import { emptyAnswer, type RunState } from './run-state';
import { StatusLabel } from './status-label';
import { RetryIcon } from '../ui/icons';

/** Stage 1: one tab per council member, each answer streaming into its own panel. */
export function Stage1Panel(props: {
  state: RunState;
  onRetry?: (() => void) | undefined;
  /** That model answers again, then the reviews and the synthesis: a new version of the turn. */
  onRegenerate?: ((model: string) => void) | undefined;
}) {
  const [picked, setPicked] = createSignal<string | null>(null);
  // Until the user picks a tab, show the first member; a pick survives new events.
  const selected = () => {
    const choice = picked();
    return choice !== null && props.state.models.includes(choice) ? choice : (props.state.models[0] ?? '');
  };
  const slot = () => props.state.stage1[selected()] ?? emptyAnswer(selected());
  const items = () =>
    props.state.models.map((model) => {
      const s = props.state.stage1[model];
      return {
        id: model,
        label: <StatusLabel name={shortModelName(model)} status={s?.status ?? 'waiting'} />,
        title: s?.error ? `${model}: ${s.error.message}` : model,
      };
    });

  return (
    <Show when={props.state.models.length > 0} fallback={<p class="muted">Waiting for the council to convene…</p>}>
      <Tabs label="Answers by model" items={items()} selected={selected()} onSelect={setPicked}>
        <AnswerBody slot={slot()} waitingText="Waiting for the first words…" onRetry={props.onRetry} />
        <AnswerSources sources={slot().sources} model={shortModelName(selected())} />
        <Show when={slot().status !== 'streaming' && slot().text}>
          {(text) => <CopyButton text={text()} label={`Copy ${shortModelName(selected())}’s answer`} />}
        </Show>
        <Show when={props.onRegenerate}>
          {(regenerate) => (
            <button
              type="button"
              class="button button-small"
              aria-label={`Regenerate ${shortModelName(selected())}’s answer`}
              onClick={() => regenerate()(selected())}
            >
              <RetryIcon /> Regenerate
            </button>
          )}
        </Show>
      </Tabs>
    </Show>
  );
}
