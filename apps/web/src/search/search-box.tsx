import { A, useNavigate } from '@solidjs/router';
import { For, Show, createSignal, onCleanup, onMount } from 'solid-js';
import { useClient } from '../client-context';
import { describeError } from '../ui/describe-error';
import { SnippetText } from './snippet-text';
import './search.css';

type SearchItem = { conversationId: string; title: string; snippet: string; messageId: string | null };

const DEBOUNCE_MS = 200;

/** Where a result opens: the conversation, scrolled to the turn of the matching question. */
export function resultHref(item: SearchItem): string {
  return `/c/${item.conversationId}${item.messageId ? `#turn-${item.messageId}` : ''}`;
}

/**
 * Full-text search above the conversation list: results as you type (debounced), `/` anywhere
 * focuses it, Enter opens the first result, Escape clears it.
 */
export function SearchBox(props: { onNavigate: () => void }) {
  const client = useClient();
  const navigate = useNavigate();
  const [query, setQuery] = createSignal('');
  const [items, setItems] = createSignal<SearchItem[] | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  let input: HTMLInputElement | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let latest = 0;

  const search = async (text: string) => {
    const ticket = ++latest;
    try {
      const page = await client.conversations.search.query({ query: text, limit: 10 });
      if (ticket !== latest) return;
      setItems(page.items);
      setError(null);
    } catch (e) {
      if (ticket === latest) setError(describeError(e).message);
    }
  };
  const onInput = (text: string) => {
    setQuery(text);
    clearTimeout(timer);
    if (!text.trim()) {
      latest++; // an answer still on its way is for a query no longer shown
      setItems(null);
      setError(null);
      return;
    }
    timer = setTimeout(() => void search(text.trim()), DEBOUNCE_MS);
  };
  const open = (item: SearchItem) => {
    onInput('');
    props.onNavigate();
    navigate(resultHref(item));
  };

  onMount(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      const isTyping = target?.closest('input, textarea, [contenteditable="true"]');
      if (event.key === '/' && !isTyping) {
        event.preventDefault();
        input?.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    onCleanup(() => {
      document.removeEventListener('keydown', onKey);
      clearTimeout(timer);
    });
  });

  return (
    <div class="search-box" role="search">
      <input
        ref={input}
        type="search"
        class="search-input"
        placeholder="Search conversations  ( / )"
        aria-label="Search conversations"
        maxLength={200}
        value={query()}
        onInput={(e) => onInput(e.currentTarget.value)}
        onKeyDown={(e) => {
          const first = items()?.[0];
          if (e.key === 'Enter' && first) open(first);
          if (e.key === 'Escape') onInput('');
        }}
      />
      <Show when={error()}>
        <p class="field-error" role="alert">
          {error()}
        </p>
      </Show>
      <Show when={items()}>
        {(found) => (
          <ul class="search-results" aria-label="Search results">
            <For each={found()} fallback={<li class="search-empty">No conversation matches.</li>}>
              {(item) => (
                <li>
                  <A
                    href={resultHref(item)}
                    class="search-result"
                    onClick={(e) => {
                      e.preventDefault();
                      open(item);
                    }}
                  >
                    <span class="search-result-title">{item.title}</span>
                    <span class="search-result-snippet">
                      <SnippetText snippet={item.snippet} />
                    </span>
                  </A>
                </li>
              )}
            </For>
          </ul>
        )}
      </Show>
    </div>
  );
}
