import { TITLE_MAX_LENGTH } from '@llm-council/sdk';
import { A, useLocation, useNavigate } from '@solidjs/router';
import { Match, Switch, createSignal } from 'solid-js';
import { createMutation } from '../ui/create-mutation';
import { PencilIcon, TrashIcon } from '../ui/icons';
import { formatFullTime, formatRelativeTime, useMinuteClock } from '../ui/relative-time';
import { useConversations, type ConversationSummary } from './conversations-store';

type Mode = 'view' | 'rename' | 'confirm-delete';

/** One sidebar row: open, rename in place, or delete after an explicit confirmation. */
export function ConversationItem(props: { conversation: ConversationSummary; onNavigate: () => void }) {
  const store = useConversations();
  const navigate = useNavigate();
  const location = useLocation();
  const now = useMinuteClock();
  const [mode, setMode] = createSignal<Mode>('view');
  const [draft, setDraft] = createSignal('');
  // A rename or a deletion; the row goes back to showing the conversation once it is done.
  const change = createMutation(async (action: () => Promise<void>) => {
    await action();
    setMode('view');
  });
  const isBusy = change.pending;
  const href = () => `/c/${props.conversation.id}`;

  const startRename = () => {
    setDraft(props.conversation.title);
    change.clear();
    setMode('rename');
  };

  const saveRename = () => {
    const title = draft().trim();
    if (title === '' || title === props.conversation.title) return setMode('view');
    void change.run(() => store.rename(props.conversation.id, title));
  };

  const confirmDelete = () =>
    void change.run(async () => {
      const wasOpen = location.pathname === href();
      await store.remove(props.conversation.id);
      if (wasOpen) navigate('/', { replace: true });
    });

  return (
    <li class="conversation-item" classList={{ 'is-editing': mode() !== 'view' }}>
      <Switch>
        <Match when={mode() === 'view'}>
          <A href={href()} class="conversation-link" activeClass="is-active" end onClick={() => props.onNavigate()}>
            <span class="conversation-title">{props.conversation.title}</span>
            <time
              class="conversation-time"
              datetime={props.conversation.updatedAt}
              title={formatFullTime(props.conversation.updatedAt)}
            >
              {formatRelativeTime(props.conversation.updatedAt, now())}
            </time>
          </A>
          <div class="conversation-actions">
            <button
              type="button"
              class="icon-button"
              onClick={startRename}
              aria-label={`Rename “${props.conversation.title}”`}
            >
              <PencilIcon />
            </button>
            <button
              type="button"
              class="icon-button"
              onClick={() => setMode('confirm-delete')}
              aria-label={`Delete “${props.conversation.title}”`}
            >
              <TrashIcon />
            </button>
          </div>
        </Match>
        <Match when={mode() === 'rename'}>
          <form class="conversation-rename" onSubmit={(event) => (event.preventDefault(), saveRename())}>
            <label class="sr-only" for={`rename-${props.conversation.id}`}>
              New title
            </label>
            <input
              id={`rename-${props.conversation.id}`}
              value={draft()}
              maxLength={TITLE_MAX_LENGTH}
              disabled={isBusy()}
              ref={(el) => queueMicrotask(() => el.select())}
              onInput={(event) => setDraft(event.currentTarget.value)}
              onKeyDown={(event) => event.key === 'Escape' && setMode('view')}
            />
            <button type="submit" class="button button-small button-primary" disabled={isBusy()}>
              Save
            </button>
            <button type="button" class="button button-small" onClick={() => setMode('view')}>
              Cancel
            </button>
          </form>
        </Match>
        <Match when={mode() === 'confirm-delete'}>
          <div class="conversation-confirm" role="group" aria-label="Confirm deletion">
            <p>Delete “{props.conversation.title}”? This cannot be undone.</p>
            <div class="conversation-confirm-actions">
              <button
                type="button"
                class="button button-small button-danger"
                disabled={isBusy()}
                onClick={confirmDelete}
              >
                Delete
              </button>
              {/* Focus lands on the harmless choice: Enter or Space right after "Delete" deletes nothing. */}
              <button
                type="button"
                class="button button-small"
                onClick={() => setMode('view')}
                ref={(el) => queueMicrotask(() => el.focus())}
              >
                Cancel
              </button>
            </div>
          </div>
        </Match>
      </Switch>
      {change.error() && (
        <p class="field-error" role="alert">
          {change.error()?.message}
        </p>
      )}
    </li>
  );
}
