import { MESSAGE_MAX_LENGTH } from '@llm-council/sdk';
import { Show, createSignal, createUniqueId } from 'solid-js';
import { createMutation } from '../ui/create-mutation';
import { formatFullTime } from '../ui/relative-time';

/** Which of its versions a question is, and how to show another one. */
export interface QuestionVersions {
  ids: string[];
  /** Shows the version with this id (and the branch below it). */
  onShow: (messageId: string) => Promise<void>;
}

/**
 * The user's question: its text as typed (never interpreted as markdown or HTML), an Edit control
 * that opens it in place (sending starts a new branch from here), and "‹ 2 / 3 ›" when it has
 * several versions.
 */
export function QuestionView(props: {
  message: { id: string; content: string; createdAt: string };
  versions: QuestionVersions;
  /** Sends an edited version; false when it was refused (the form stays open with the text). */
  onEdit: (content: string) => Promise<boolean>;
  /** While a run is live the question cannot be edited nor its version switched. */
  isLocked: boolean;
}) {
  const fieldId = createUniqueId();
  const [draft, setDraft] = createSignal<string | null>(null);
  // Showing a version or sending an edit; the callers report their own failures.
  const work = createMutation((step: () => Promise<void>) => step());
  const isBusy = work.pending;
  const index = () => props.versions.ids.indexOf(props.message.id);
  const count = () => props.versions.ids.length;
  const canSend = () => {
    const text = draft()?.trim() ?? '';
    return !isBusy() && !props.isLocked && text !== '' && text.length <= MESSAGE_MAX_LENGTH;
  };

  const show = (offset: number) => {
    const target = props.versions.ids[index() + offset];
    if (!target || isBusy()) return;
    void work.run(() => props.versions.onShow(target));
  };

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    if (!canSend()) return;
    void work.run(async () => {
      if (await props.onEdit(draft()?.trim() ?? '')) setDraft(null);
    });
  };

  return (
    <div class="user-message">
      <h2 class="sr-only">You asked</h2>
      <Show when={draft() !== null} fallback={<p class="user-message-text">{props.message.content}</p>}>
        <form class="question-edit" onSubmit={submit}>
          <label class="sr-only" for={fieldId}>
            Edit your question
          </label>
          <textarea
            id={fieldId}
            class="question-edit-box"
            value={draft() ?? ''}
            rows={3}
            ref={(el) => queueMicrotask(() => el.focus())}
            onInput={(event) => setDraft(event.currentTarget.value)}
            onKeyDown={(event) => {
              if (event.key === 'Escape') setDraft(null);
            }}
          />
          <div class="question-edit-actions">
            <button type="button" class="button button-small" onClick={() => setDraft(null)}>
              Cancel
            </button>
            <button type="submit" class="button button-small button-primary" disabled={!canSend()}>
              Send edit
            </button>
          </div>
        </form>
      </Show>
      <div class="user-message-meta">
        <Show when={count() > 1}>
          <nav class="version-switch" aria-label="Versions of this question">
            <button
              type="button"
              class="version-step"
              aria-label="Previous version"
              disabled={index() <= 0 || isBusy() || props.isLocked}
              onClick={() => show(-1)}
            >
              ‹
            </button>
            <span>
              {index() + 1} / {count()}
            </span>
            <button
              type="button"
              class="version-step"
              aria-label="Next version"
              disabled={index() >= count() - 1 || isBusy() || props.isLocked}
              onClick={() => show(1)}
            >
              ›
            </button>
          </nav>
        </Show>
        <Show when={draft() === null}>
          <button
            type="button"
            class="question-edit-open"
            aria-label="Edit this question"
            disabled={props.isLocked}
            onClick={() => setDraft(props.message.content)}
          >
            Edit
          </button>
        </Show>
        <time class="user-message-time" datetime={props.message.createdAt}>
          {formatFullTime(props.message.createdAt)}
        </time>
      </div>
    </div>
  );
}
