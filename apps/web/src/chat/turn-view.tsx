import { Show } from 'solid-js';
import type { CouncilEvent, Message } from '../council/council-types';
import type { LiveRun } from '../council/live-run';
import { RunView } from '../council/run-view';
import type { RunState } from '../council/run-state';
import { MarkdownView } from '../markdown/markdown-view';
import { QuestionView } from './question-view';
import { AttachmentChips } from './attachments';

export interface Turn {
  key: string;
  message: Pick<Message, 'id' | 'content' | 'createdAt' | 'versionIds' | 'attachments'>;
  /** The run as it stood when the turn was shown; its view follows it from there while it is live. */
  run: RunState | null;
  answer: Pick<Message, 'content'> | null;
}

/** What a turn's question can do: be edited (a new branch) or show another of its versions. */
export interface TurnActions {
  onEdit: (messageId: string, content: string) => Promise<boolean>;
  onShowVersion: (messageId: string) => Promise<void>;
  /** A new version of a finished turn: its final answer again, or (`model`) that model's answer and what follows. */
  onRegenerate: (runId: string, model?: string) => Promise<void>;
  isLocked: boolean;
  /** Every event of a run shown (a title, an end). */
  onRunEvent: (event: CouncilEvent) => void;
  /** A run's view is shown; the returned function is called when it goes. */
  onRunShown: (run: LiveRun) => () => void;
}

/** One exchange: the user's question, then the council's run (or a stored plain answer). */
export function TurnView(props: { turn: Turn; actions: TurnActions }) {
  return (
    <article class="turn" aria-label="Question and council answer">
      <QuestionView
        message={props.turn.message}
        versions={{ ids: props.turn.message.versionIds, onShow: props.actions.onShowVersion }}
        onEdit={(content) => props.actions.onEdit(props.turn.message.id, content)}
        isLocked={props.actions.isLocked}
      />
      <AttachmentChips attachments={props.turn.message.attachments} />
      <Show when={props.turn.run}>
        {(run) => (
          <RunView
            initial={run()}
            onEvent={props.actions.onRunEvent}
            onShown={props.actions.onRunShown}
            onRegenerate={
              props.actions.isLocked ? undefined : (model) => void props.actions.onRegenerate(run().runId, model)
            }
          />
        )}
      </Show>
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
