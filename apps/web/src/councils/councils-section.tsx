import { For, Show, createResource, createSignal } from 'solid-js';
import { useClient } from '../client-context';
import { shortModelName } from '../council/model-names';
import { describeError } from '../ui/describe-error';
import { ErrorNotice } from '../ui/error-notice';
import { CouncilForm } from './council-form';
import { effortLabels, isServerCouncil, modeShortLabels, type SavedCouncil } from './saved-councils';
import './councils.css';

/**
 * Settings → Councils: the user's saved councils (create, edit, delete) and the operator's,
 * shown read-only. A saved council is picked on the new-conversation page.
 */
export function CouncilsSection() {
  const client = useClient();
  const [list, { refetch }] = createResource(() => client.councils.list.query());
  // Read without suspending: a plain read of a loading resource would put the whole settings page
  // behind the loading fallback (on every refetch too), and a failed one throws.
  const loaded = () => (list.state === 'ready' || list.state === 'refreshing' ? list.latest : undefined);
  // null: no form open; 'new': the create form; else the id of the council being edited.
  const [editing, setEditing] = createSignal<string | null>(null);
  const [message, setMessage] = createSignal<string | null>(null);

  const saved = async (council: SavedCouncil, verb: string) => {
    setEditing(null);
    setMessage(`“${council.name}” ${verb}.`);
    await refetch();
  };
  const remove = async (council: SavedCouncil) => {
    setMessage(null);
    try {
      await client.councils.delete.mutate({ id: council.id });
      setMessage(`“${council.name}” deleted. Conversations asked with it keep their answers.`);
      await refetch();
    } catch (error) {
      setMessage(describeError(error).message);
    }
  };

  return (
    <section class="settings-section" aria-labelledby="councils-heading">
      <h2 id="councils-heading">Councils</h2>
      <p class="muted">
        A saved council keeps its models, chairman, mode, standing instructions, reasoning effort and web search, so you
        can ask with it from the new-conversation page, the command line (<code>--council</code>) and other tools.
      </p>
      <Show
        when={editing() === 'new'}
        fallback={
          <button type="button" class="button" onClick={() => (setMessage(null), setEditing('new'))}>
            New council
          </button>
        }
      >
        <CouncilForm onSaved={(c) => void saved(c, 'created')} onCancel={() => setEditing(null)} />
      </Show>
      <Show when={list.error as unknown}>{(error) => <ErrorNotice message={describeError(error()).message} />}</Show>
      <Show when={message()}>
        {(text) => (
          <p class="notice" role="status">
            {text()}
          </p>
        )}
      </Show>
      <Show when={loaded()?.councils.length === 0}>
        <p class="muted">No saved councils yet.</p>
      </Show>
      <ul class="council-list" aria-label="Your councils">
        <For each={loaded()?.councils}>
          {(council) => (
            <Show
              when={editing() === council.id}
              fallback={
                <CouncilRow
                  council={council}
                  onEdit={() => setEditing(council.id)}
                  onDelete={() => void remove(council)}
                />
              }
            >
              <li>
                <CouncilForm
                  editing={council}
                  onSaved={(c) => void saved(c, 'saved')}
                  onCancel={() => setEditing(null)}
                />
              </li>
            </Show>
          )}
        </For>
      </ul>
      <Show when={(loaded()?.serverCouncils.length ?? 0) > 0}>
        <h3 class="council-list-heading">From this server</h3>
        <ul class="council-list" aria-label="Councils from this server">
          <For each={loaded()?.serverCouncils}>{(council) => <CouncilRow council={council} />}</For>
        </ul>
      </Show>
    </section>
  );
}

function CouncilRow(props: { council: SavedCouncil; onEdit?: () => void; onDelete?: () => void }) {
  const [isConfirming, setConfirming] = createSignal(false);
  const council = () => props.council;
  return (
    <li class="card council-row" aria-label={council().name}>
      <div class="council-row-head">
        <strong>{council().name}</strong>
        <span class="badge">{modeShortLabels[council().mode]}</span>
        <Show when={council().webSearch}>
          <span class="badge">web search</span>
        </Show>
        <Show when={council().reasoningEffort !== 'none'}>
          <span class="badge">{effortLabels[council().reasoningEffort].toLowerCase()} reasoning</span>
        </Show>
        <Show when={isServerCouncil(council())}>
          <span class="badge">read-only</span>
        </Show>
      </div>
      <p class="muted council-meta">
        {council().models.map(shortModelName).join(', ')}
        <Show when={council().mode === 'full'}> · chairman {shortModelName(council().chairmanModel)}</Show>
      </p>
      <Show when={council().instructions.trim()}>
        {(instructions) => <p class="council-instructions">{instructions()}</p>}
      </Show>
      <Show when={props.onEdit && props.onDelete}>
        <Show
          when={isConfirming()}
          fallback={
            <div class="council-row-actions">
              <button type="button" class="button button-small" onClick={() => props.onEdit?.()}>
                Edit
              </button>
              <button type="button" class="button button-small button-danger-ghost" onClick={() => setConfirming(true)}>
                Delete
              </button>
            </div>
          }
        >
          <div class="confirm-row" role="group" aria-label={`Confirm deleting ${council().name}`}>
            <p>Delete “{council().name}”? Conversations asked with it keep their answers.</p>
            <button type="button" class="button button-small button-danger" onClick={() => props.onDelete?.()}>
              Delete
            </button>
            <button type="button" class="button button-small" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </Show>
      </Show>
    </li>
  );
}
