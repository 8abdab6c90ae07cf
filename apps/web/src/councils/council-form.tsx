import { INSTRUCTIONS_MAX_LENGTH } from '@llm-council/sdk';
import { For, Show, createResource, createSignal, createUniqueId } from 'solid-js';
import { useClient } from '../client-context';
import { CouncilPicker, isValidChoice, type CouncilChoice } from '../council/council-picker';
import { createMutation } from '../ui/create-mutation';
import { describeError } from '../ui/describe-error';
import { ErrorNotice } from '../ui/error-notice';
import { TextField } from '../ui/text-field';
import {
  effortLabels,
  modeLabels,
  type CouncilFields,
  type CouncilMode,
  type ReasoningEffort,
  type SavedCouncil,
} from './saved-councils';

const modes = Object.keys(modeLabels) as CouncilMode[];
const efforts = Object.keys(effortLabels) as ReasoningEffort[];

/**
 * Creates a council, or edits one of the user's (`editing`): name, members and chairman from the
 * model catalogue, mode, standing instructions, reasoning effort and web search. The server checks
 * it the way it checks a start; its refusal is shown by the field it names, and nothing is lost.
 */
export function CouncilForm(props: {
  editing?: SavedCouncil;
  onSaved: (council: SavedCouncil) => void;
  onCancel: () => void;
}) {
  const client = useClient();
  const id = createUniqueId();
  const [catalog] = createResource(() => client.council.models.query({}));
  const [name, setName] = createSignal(props.editing?.name ?? '');
  const [choice, setChoice] = createSignal<CouncilChoice | null>(
    props.editing ? { models: [...props.editing.models], chairmanModel: props.editing.chairmanModel } : null,
  );
  const [mode, setMode] = createSignal<CouncilMode>(props.editing?.mode ?? 'full');
  const [instructions, setInstructions] = createSignal(props.editing?.instructions ?? '');
  const [effort, setEffort] = createSignal<ReasoningEffort>(props.editing?.reasoningEffort ?? 'none');
  const [webSearch, setWebSearch] = createSignal(props.editing?.webSearch ?? false);
  // What the form itself finds wrong before sending; the server's refusal comes from `saving`.
  const [problems, setProblems] = createSignal<Record<string, string[]>>({});
  const saving = createMutation(async (fields: CouncilFields) => {
    const saved = props.editing
      ? await client.councils.update.mutate({ id: props.editing.id, ...fields })
      : await client.councils.create.mutate(fields);
    props.onSaved(saved);
  });
  const isBusy = saving.pending;
  const errors = () => saving.error()?.fieldErrors ?? problems();
  const failure = () => saving.error()?.message ?? null;

  // A new council starts from the server's default council.
  const loadedCatalog = () => (catalog.state === 'ready' ? catalog() : undefined);
  const picked = () => {
    const loaded = loadedCatalog();
    return (
      choice() ??
      (loaded ? { models: [...loaded.defaults.models], chairmanModel: loaded.defaults.chairmanModel } : null)
    );
  };
  const isTooLong = () => instructions().length > INSTRUCTIONS_MAX_LENGTH;

  const save = async (event: SubmitEvent) => {
    event.preventDefault();
    const members = picked();
    if (!members) return;
    const problems: Record<string, string[]> = {};
    if (name().trim() === '') problems['name'] = ['Give the council a name'];
    if (isTooLong()) problems['instructions'] = [`At most ${INSTRUCTIONS_MAX_LENGTH.toLocaleString()} characters`];
    if (!isValidChoice(members, mode())) problems['models'] = ['Choose enough models for this mode'];
    setProblems(problems);
    saving.clear();
    if (Object.keys(problems).length > 0) return;
    const fields: CouncilFields = {
      name: name().trim(),
      models: members.models,
      chairmanModel: members.chairmanModel,
      mode: mode(),
      instructions: instructions(),
      reasoningEffort: effort(),
      webSearch: webSearch(),
    };
    await saving.run(fields);
  };

  return (
    <form
      class="card council-form"
      aria-label={props.editing ? `Edit ${props.editing.name}` : 'New council'}
      onSubmit={(event) => void save(event)}
      noValidate
    >
      <TextField label="Name" value={name()} onValue={setName} errors={errors()['name']} disabled={isBusy()} />
      <Show
        when={loadedCatalog() && picked()}
        fallback={
          <Show when={catalog.error as unknown} fallback={<p class="muted">Loading the model catalog…</p>}>
            <ErrorNotice message={`The model catalog is unavailable (${describeError(catalog.error).message}).`} />
          </Show>
        }
      >
        {(members) => (
          <CouncilPicker
            catalog={loadedCatalog() as NonNullable<ReturnType<typeof loadedCatalog>>}
            choice={members()}
            onChange={setChoice}
            mode={mode()}
            legend="Members"
          />
        )}
      </Show>
      <Show when={errors()['models'] ?? errors()['chairmanModel']}>
        {(messages) => <p class="field-error">{messages().join(' ')}</p>}
      </Show>
      <div class="field">
        <label for={`${id}-mode`}>Mode</label>
        <select id={`${id}-mode`} onChange={(e) => setMode(e.currentTarget.value as CouncilMode)}>
          <For each={modes}>
            {(m) => (
              <option value={m} selected={m === mode()}>
                {modeLabels[m]}
              </option>
            )}
          </For>
        </select>
      </div>
      <div class="field" classList={{ 'has-error': isTooLong() || Boolean(errors()['instructions']) }}>
        <label for={`${id}-instructions`}>Instructions</label>
        <textarea
          id={`${id}-instructions`}
          rows={4}
          value={instructions()}
          placeholder="e.g. Answer as a senior SRE; be brief."
          aria-describedby={`${id}-instructions-hint`}
          aria-invalid={isTooLong()}
          onInput={(e) => setInstructions(e.currentTarget.value)}
        />
        <p class="field-hint" id={`${id}-instructions-hint`}>
          Every model answers with these as its standing instructions, and so does the chairman; reviewers read them as
          context only. {instructions().length.toLocaleString()} / {INSTRUCTIONS_MAX_LENGTH.toLocaleString()}
        </p>
        <Show when={errors()['instructions']}>{(messages) => <p class="field-error">{messages().join(' ')}</p>}</Show>
      </div>
      <div class="field">
        <label for={`${id}-effort`}>Reasoning effort</label>
        <select id={`${id}-effort`} onChange={(e) => setEffort(e.currentTarget.value as ReasoningEffort)}>
          <For each={efforts}>
            {(e) => (
              <option value={e} selected={e === effort()}>
                {effortLabels[e]}
              </option>
            )}
          </For>
        </select>
      </div>
      <label class="checkbox">
        <input type="checkbox" checked={webSearch()} onChange={(e) => setWebSearch(e.currentTarget.checked)} /> Search
        the web when answering
      </label>
      <Show when={failure()}>{(message) => <ErrorNotice message={message()} />}</Show>
      <div class="council-form-actions">
        <button type="submit" class="button button-primary" disabled={isBusy() || picked() === null}>
          {isBusy() ? 'Saving…' : props.editing ? 'Save changes' : 'Create council'}
        </button>
        <button type="button" class="button" onClick={() => props.onCancel()} disabled={isBusy()}>
          Cancel
        </button>
      </div>
    </form>
  );
}
