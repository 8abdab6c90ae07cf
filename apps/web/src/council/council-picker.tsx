import { COUNCIL_MAX_MODELS, COUNCIL_MIN_MODELS } from '@llm-council/sdk';
import { For, Show, createMemo, createSignal, createUniqueId } from 'solid-js';
import { CrownIcon } from '../ui/icons';
import type { CouncilMode } from '../councils/saved-councils';
import type { CatalogModel, ModelCatalog } from './council-types';
import { shortModelName } from './model-names';
import './council-picker.css';

const MIN_COUNCIL = COUNCIL_MIN_MODELS;
const MAX_COUNCIL = COUNCIL_MAX_MODELS;

export interface CouncilChoice {
  models: string[];
  chairmanModel: string;
}

/** The fewest models a council of this mode needs: one for answers only, else two. */
export const minimumModels = (mode: CouncilMode) => (mode === 'answers' ? 1 : MIN_COUNCIL);

export function isValidChoice(choice: CouncilChoice, mode: CouncilMode = 'full'): boolean {
  return (
    choice.models.length >= minimumModels(mode) &&
    choice.models.length <= MAX_COUNCIL &&
    (mode !== 'full' || choice.chairmanModel !== '')
  );
}

const formatPrice = (perToken: number) => `$${(perToken * 1_000_000).toFixed(perToken * 1_000_000 < 1 ? 2 : 1)}`;
const describeModel = (m: CatalogModel) =>
  [
    m.contextLength ? `${Math.round(m.contextLength / 1000)}K context` : null,
    m.pricing ? `${formatPrice(m.pricing.prompt)} in / ${formatPrice(m.pricing.completion)} out per M tokens` : null,
  ]
    .filter(Boolean)
    .join(' · ');

/**
 * Chooses the council (the SDK's COUNCIL_MIN_MODELS — one in mode `answers` — to COUNCIL_MAX_MODELS)
 * and, in mode `full`, the chairman from the provider's catalog, defaults preselected by the caller.
 * Collapsed it shows the choice; "Change" opens the searchable list.
 */
export function CouncilPicker(props: {
  catalog: ModelCatalog;
  choice: CouncilChoice;
  onChange: (choice: CouncilChoice) => void;
  mode?: CouncilMode;
  legend?: string;
}) {
  const mode = () => props.mode ?? 'full';
  const minimum = () => minimumModels(mode());
  const id = createUniqueId();
  const [isOpen, setOpen] = createSignal(false);
  const [query, setQuery] = createSignal('');
  const byId = createMemo(() => new Map(props.catalog.models.map((m) => [m.id, m])));
  const nameOf = (modelId: string) => byId().get(modelId)?.name ?? shortModelName(modelId);
  const matches = createMemo(() => {
    const q = query().trim().toLowerCase();
    return q === ''
      ? props.catalog.models
      : props.catalog.models.filter((m) => m.name.toLowerCase().includes(q) || m.id.toLowerCase().includes(q));
  });
  // The configured chairman may be outside the catalog; it must still be selectable (and shown).
  const chairmanOptions = () =>
    byId().has(props.choice.chairmanModel)
      ? props.catalog.models
      : [{ id: props.choice.chairmanModel, name: nameOf(props.choice.chairmanModel) }, ...props.catalog.models];
  const isFull = () => props.choice.models.length >= MAX_COUNCIL;

  const toggle = (modelId: string, isChecked: boolean) => {
    const models = isChecked ? [...props.choice.models, modelId] : props.choice.models.filter((m) => m !== modelId);
    props.onChange({ ...props.choice, models });
  };

  return (
    <fieldset class="picker">
      <legend class="picker-legend">{props.legend ?? 'Your council'}</legend>
      <div class="picker-summary">
        <ul class="picker-chosen" aria-label="Council members">
          <For each={props.choice.models}>
            {(m) => (
              <li class="pill" title={m}>
                {shortModelName(m)}
              </li>
            )}
          </For>
          <Show when={mode() === 'full'}>
            <li class="pill pill-chairman" title={`Chairman: ${props.choice.chairmanModel}`}>
              <CrownIcon />
              {shortModelName(props.choice.chairmanModel)}
              <span class="pill-role">· chairman</span>
            </li>
          </Show>
        </ul>
        <button
          type="button"
          class="button button-small"
          aria-expanded={isOpen()}
          aria-controls={`${id}-panel`}
          onClick={() => setOpen(!isOpen())}
        >
          {isOpen() ? 'Done' : 'Change'}
        </button>
      </div>
      <Show when={props.choice.models.length < minimum()}>
        <p class="field-error" role="alert">
          Choose at least {minimum()} {minimum() === 1 ? 'model' : 'models'}.
        </p>
      </Show>

      <Show when={isOpen()}>
        <div class="picker-panel" id={`${id}-panel`}>
          <div class="picker-controls">
            <div class="field">
              <label for={`${id}-search`}>Search models</label>
              <input
                id={`${id}-search`}
                type="search"
                value={query()}
                placeholder="e.g. claude, gpt, llama"
                onInput={(e) => setQuery(e.currentTarget.value)}
              />
            </div>
            <Show when={mode() === 'full'}>
              <div class="field">
                <label for={`${id}-chairman`}>Chairman (writes the final answer)</label>
                <select
                  id={`${id}-chairman`}
                  value={props.choice.chairmanModel}
                  onChange={(e) => props.onChange({ ...props.choice, chairmanModel: e.currentTarget.value })}
                >
                  <For each={chairmanOptions()}>{(m) => <option value={m.id}>{m.name}</option>}</For>
                </select>
              </div>
            </Show>
          </div>
          <p class="picker-count" aria-live="polite">
            {props.choice.models.length} selected · choose {minimum()} to {MAX_COUNCIL}
            {props.catalog.source === 'configured' ? ' · models configured by the server' : ''}
          </p>
          <ul class="picker-list">
            <For each={matches()} fallback={<li class="muted">No model matches “{query()}”.</li>}>
              {(model) => {
                const isChecked = () => props.choice.models.includes(model.id);
                return (
                  <li>
                    <label class="picker-option" classList={{ 'is-checked': isChecked() }}>
                      <input
                        type="checkbox"
                        checked={isChecked()}
                        disabled={!isChecked() && isFull()}
                        onChange={(e) => toggle(model.id, e.currentTarget.checked)}
                      />
                      <span class="picker-option-text">
                        <span class="picker-option-name">{model.name}</span>
                        <span class="picker-option-meta">
                          {model.id}
                          {describeModel(model) ? ` · ${describeModel(model)}` : ''}
                        </span>
                      </span>
                    </label>
                  </li>
                );
              }}
            </For>
          </ul>
        </div>
      </Show>
    </fieldset>
  );
}
