import { A } from '@solidjs/router';
import { For, Show, createSignal, onMount } from 'solid-js';
import { useSession } from '../auth/session';
import { describeError } from '../ui/describe-error';
import { ChartIcon, CloseIcon, GearIcon, LogOutIcon, PlusIcon } from '../ui/icons';
import { SearchBox } from '../search/search-box';
import { ConversationItem } from './conversation-item';
import { useConversations } from './conversations-store';
import './sidebar.css';

/**
 * Conversations (newest activity first, page by page), the way to start a new one, and the
 * account corner. On narrow screens it slides in over the chat; `onNavigate` closes it.
 */
export function Sidebar(props: { onNavigate: () => void; onClose: () => void }) {
  const store = useConversations();
  const session = useSession();
  const [logoutError, setLogoutError] = createSignal<string | null>(null);
  onMount(() => {
    if (!store.state.hasLoaded) void store.loadFirst();
  });

  const logout = async () => {
    setLogoutError(null);
    try {
      await session.logout();
    } catch (error) {
      setLogoutError(`Could not sign out: ${describeError(error).message}`);
    }
  };

  return (
    <nav class="sidebar-inner" aria-label="Conversations">
      <div class="sidebar-head">
        <A href="/" class="brand" onClick={() => props.onNavigate()}>
          <img src="/favicon.svg" alt="" width="28" height="28" />
          <span>LLM Council</span>
        </A>
        <button type="button" class="icon-button sidebar-close" onClick={() => props.onClose()} aria-label="Close menu">
          <CloseIcon />
        </button>
      </div>
      <A href="/" class="button button-primary new-conversation" end onClick={() => props.onNavigate()}>
        <PlusIcon /> New conversation
      </A>
      <SearchBox onNavigate={props.onNavigate} />

      <div class="conversation-scroll">
        <h2 class="sidebar-label">Conversations</h2>
        <ul class="conversation-list">
          <For each={store.state.items}>
            {(conversation) => <ConversationItem conversation={conversation} onNavigate={props.onNavigate} />}
          </For>
        </ul>
        <Show when={store.state.hasLoaded && store.state.items.length === 0 && !store.state.error}>
          <p class="sidebar-empty">No conversations yet. Ask the council something.</p>
        </Show>
        <Show when={store.state.error}>
          <div class="sidebar-error" role="alert">
            <p>{store.state.error}</p>
            <button
              type="button"
              class="button button-small"
              onClick={() => void (store.state.hasLoaded ? store.loadMore() : store.loadFirst())}
            >
              Try again
            </button>
          </div>
        </Show>
        <Show when={store.state.isLoading}>
          <p class="sidebar-loading" role="status">
            Loading…
          </p>
        </Show>
        <Show when={store.state.nextCursor && !store.state.isLoading && !store.state.error}>
          <button type="button" class="button button-ghost load-more" onClick={() => void store.loadMore()}>
            Load more
          </button>
        </Show>
      </div>

      <div class="sidebar-foot">
        <p class="signed-in-as" title={session.user()?.email}>
          <span class="avatar" aria-hidden="true">
            {session.user()?.email.charAt(0).toUpperCase()}
          </span>
          <span class="sr-only">Signed in as </span>
          <span class="signed-in-email">{session.user()?.email}</span>
        </p>
        <div class="sidebar-foot-actions">
          <A href="/settings" class="button button-ghost" activeClass="is-active" onClick={() => props.onNavigate()}>
            <GearIcon /> Settings
          </A>
          <A href="/usage" class="button button-ghost" activeClass="is-active" onClick={() => props.onNavigate()}>
            <ChartIcon /> Usage
          </A>
          <button type="button" class="button button-ghost" onClick={() => void logout()}>
            <LogOutIcon /> Log out
          </button>
        </div>
        <Show when={logoutError()}>
          <p class="field-error" role="alert">
            {logoutError()}
          </p>
        </Show>
      </div>
    </nav>
  );
}
