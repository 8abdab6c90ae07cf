import { For, createUniqueId, type JSX } from 'solid-js';
import './tabs.css';

export interface TabItem {
  id: string;
  label: JSX.Element;
  /** Extra class for the tab (e.g. a status colour). */
  class?: string;
  /** Tooltip, e.g. a failure reason. */
  title?: string;
}

/**
 * WAI-ARIA tabs with automatic activation: arrow keys, Home and End move between tabs; only the
 * selected tab is in the Tab order, so keyboard users reach the panel with one more Tab.
 */
export function Tabs(props: {
  label: string;
  items: TabItem[];
  selected: string;
  onSelect: (id: string) => void;
  children: JSX.Element;
}) {
  const prefix = createUniqueId();
  const tabId = (id: string) => `${prefix}-tab-${id.replace(/[^a-zA-Z0-9_-]/g, '_')}`;
  const panelId = `${prefix}-panel`;

  const onKeyDown = (event: KeyboardEvent) => {
    const ids = props.items.map((item) => item.id);
    const index = ids.indexOf(props.selected);
    const target =
      event.key === 'ArrowRight'
        ? ids[(index + 1) % ids.length]
        : event.key === 'ArrowLeft'
          ? ids[(index - 1 + ids.length) % ids.length]
          : event.key === 'Home'
            ? ids[0]
            : event.key === 'End'
              ? ids[ids.length - 1]
              : undefined;
    if (target === undefined) return;
    event.preventDefault();
    props.onSelect(target);
    document.getElementById(tabId(target))?.focus();
  };

  return (
    <div class="tabs">
      <div class="tab-list" role="tablist" aria-label={props.label} onKeyDown={onKeyDown}>
        <For each={props.items}>
          {(item) => (
            <button
              type="button"
              role="tab"
              id={tabId(item.id)}
              class={`tab ${item.class ?? ''}`}
              aria-selected={item.id === props.selected}
              aria-controls={panelId}
              tabIndex={item.id === props.selected ? 0 : -1}
              title={item.title}
              onClick={() => props.onSelect(item.id)}
            >
              {item.label}
            </button>
          )}
        </For>
      </div>
      <div class="tab-panel" role="tabpanel" id={panelId} aria-labelledby={tabId(props.selected)} tabIndex={0}>
        {props.children}
      </div>
    </div>
  );
}
