import { For, Show, createUniqueId } from 'solid-js';
import { isServerCouncil, modeLabels, type CouncilMode, type SavedCouncil } from './saved-councils';
import './councils.css';

/** How the next question is asked: with a saved council or models picked by hand, in which mode, with web search. */
export interface AskSettings {
  councilId: string | null;
  mode: CouncilMode;
  webSearch: boolean;
}

const modes = Object.keys(modeLabels) as CouncilMode[];
const INSTRUCTIONS_PREVIEW = 160;

/**
 * The "Ask with" choices above the composer: a saved council (the user's or the server's) or
 * models picked by hand, the mode, and web search. Choosing a council takes its mode and search
 * as the starting point; both can still be changed for this question.
 */
export function AskOptions(props: {
  councils: SavedCouncil[];
  settings: AskSettings;
  /** A new council id means a council was picked: the page takes its members. */
  onChange: (settings: AskSettings) => void;
}) {
  const id = createUniqueId();
  const own = () => props.councils.filter((c) => !isServerCouncil(c));
  const fromServer = () => props.councils.filter(isServerCouncil);
  const selected = () => props.councils.find((c) => c.id === props.settings.councilId) ?? null;
  const pick = (councilId: string) => {
    const council = props.councils.find((c) => c.id === councilId) ?? null;
    props.onChange(
      council
        ? { councilId: council.id, mode: council.mode, webSearch: council.webSearch }
        : { ...props.settings, councilId: null },
    );
  };
  const instructionsPreview = () => {
    const text = selected()?.instructions.trim() ?? '';
    return text.length > INSTRUCTIONS_PREVIEW ? `${text.slice(0, INSTRUCTIONS_PREVIEW)}…` : text;
  };

  return (
    <div class="ask-options" role="group" aria-label="How to ask">
      <div class="field">
        <label for={`${id}-council`}>Ask with</label>
        <select id={`${id}-council`} onChange={(e) => pick(e.currentTarget.value)}>
          <option value="" selected={props.settings.councilId === null}>
            Models chosen below
          </option>
          <CouncilGroup label="Your councils" councils={own()} selectedId={props.settings.councilId} />
          <CouncilGroup label="From this server" councils={fromServer()} selectedId={props.settings.councilId} />
        </select>
      </div>
      <div class="field">
        <label for={`${id}-mode`}>Mode</label>
        <select
          id={`${id}-mode`}
          onChange={(e) => props.onChange({ ...props.settings, mode: e.currentTarget.value as CouncilMode })}
        >
          <For each={modes}>
            {(m) => (
              <option value={m} selected={m === props.settings.mode}>
                {modeLabels[m]}
              </option>
            )}
          </For>
        </select>
      </div>
      <label class="checkbox">
        <input
          type="checkbox"
          checked={props.settings.webSearch}
          onChange={(e) => props.onChange({ ...props.settings, webSearch: e.currentTarget.checked })}
        />{' '}
        Search the web
      </label>
      <Show when={instructionsPreview()}>
        {(text) => (
          <p class="muted ask-options-note">
            <strong>Instructions:</strong> {text()}
          </p>
        )}
      </Show>
    </div>
  );
}

/** One group of councils in the "Ask with" list; nothing when the group is empty. */
function CouncilGroup(props: { label: string; councils: SavedCouncil[]; selectedId: string | null }) {
  return (
    <Show when={props.councils.length > 0}>
      <optgroup label={props.label}>
        <For each={props.councils}>
          {(c) => (
            <option value={c.id} selected={c.id === props.selectedId}>
              {c.name}
            </option>
          )}
        </For>
      </optgroup>
    </Show>
  );
}
