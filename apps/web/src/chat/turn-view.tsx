import { Show } from 'solid-js';
import type { Message } from '../council/council-types';
import type { LiveRun } from '../council/live-run';
import { RunView } from '../council/run-view';
import { MarkdownView } from '../markdown/markdown-view';
import { formatFullTime } from '../ui/relative-time';

export interface Turn {
  key: string;
  message: Pick<Message, 'id' | 'content' | 'createdAt'>;
  run: LiveRun | null;
  answer: Pick<Message, 'content'> | null;
}

/** One exchange: the user's question, then the council's run (or a stored plain answer). */
export function TurnView(props: { turn: Turn }) {
  return (
    <article class="turn" aria-label="Question and council answer">
      <div class="user-message">
        <h2 class="sr-only">You asked</h2>
        {/* The user's own text is shown as typed, never interpreted as markdown or HTML. */}
        <p class="user-message-text">{props.turn.message.content}</p>
        <time class="user-message-time" datetime={props.turn.message.createdAt}>
          {formatFullTime(props.turn.message.createdAt)}
        </time>
      </div>
      <Show when={props.turn.run}>{(run) => <RunView run={run()} />}</Show>
      <Show when={!props.turn.run && props.turn.answer}>
        {(answer) => (
          <section class="final-answer" aria-label="Answer">
            <MarkdownView source={answer().content} />
          </section>
        )}
      </Show>
    </article>
  );
}
