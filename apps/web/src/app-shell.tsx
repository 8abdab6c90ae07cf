import { useLocation, type RouteSectionProps } from '@solidjs/router';
import { Suspense, createEffect, createSignal, on, onCleanup, onMount } from 'solid-js';
import { useClient } from './client-context';
import { ConversationsProvider, createConversationsStore } from './conversations/conversations-store';
import { Sidebar } from './conversations/sidebar';
import { clearDrafts } from './chat/drafts';
import { MenuIcon } from './ui/icons';
import { PageLoading } from './ui/page-loading';

/**
 * The signed-in frame: sidebar and main column. Below 820 px the sidebar becomes a drawer behind
 * the menu button (closed with Escape, the backdrop, or by choosing a destination).
 */
export function AppShell(props: RouteSectionProps) {
  const store = createConversationsStore(useClient());
  const [isMenuOpen, setMenuOpen] = createSignal(false);
  let menuButton: HTMLButtonElement | undefined;
  let main: HTMLElement | undefined;
  // After client-side navigation, start keyboard and screen-reader users at the new content, as a
  // full page load would (focus would otherwise stay on the link in the sidebar) — unless the new
  // page already put focus somewhere inside it (the question box).
  const location = useLocation();
  const focusContent = () => {
    if (main && !main.contains(document.activeElement)) main.focus({ preventScroll: true });
  };
  createEffect(on(() => location.pathname, focusContent, { defer: true }));

  const closeMenu = (returnFocus = false) => {
    if (!isMenuOpen()) return;
    setMenuOpen(false);
    if (returnFocus) menuButton?.focus();
  };
  let sidebar: HTMLElement | undefined;
  const openMenu = () => {
    setMenuOpen(true);
    sidebar?.querySelector<HTMLElement>('.sidebar-close')?.focus();
  };
  // While the drawer is open it is the only thing on screen that works: Tab cycles inside it.
  const trapFocus = (event: KeyboardEvent) => {
    const focusable = Array.from(sidebar?.querySelectorAll<HTMLElement>('a[href], button, input') ?? []).filter(
      (element) => !element.hasAttribute('disabled') && element.offsetParent !== null,
    );
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (!first || !last) return;
    const active = document.activeElement;
    if (event.shiftKey && (active === first || !sidebar?.contains(active))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || !sidebar?.contains(active))) {
      event.preventDefault();
      first.focus();
    }
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') closeMenu(true);
    if (event.key === 'Tab' && isMenuOpen()) trapFocus(event);
  };
  onMount(() => document.addEventListener('keydown', onKeyDown));
  onCleanup(() => document.removeEventListener('keydown', onKeyDown));
  // Unmounted on sign-out: the next person at this browser must not find the last one's drafts.
  onCleanup(clearDrafts);

  return (
    <ConversationsProvider store={store}>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <div class="shell" classList={{ 'is-menu-open': isMenuOpen() }}>
        <aside id="sidebar" class="sidebar" ref={sidebar}>
          <Sidebar onNavigate={() => closeMenu()} onClose={() => closeMenu(true)} />
        </aside>
        <div class="backdrop" aria-hidden="true" onClick={() => closeMenu()} />
        <div class="main-column">
          <header class="topbar">
            <button
              type="button"
              class="icon-button"
              ref={menuButton}
              aria-controls="sidebar"
              aria-expanded={isMenuOpen()}
              aria-label="Open menu"
              onClick={openMenu}
            >
              <MenuIcon />
            </button>
            <span class="topbar-title">LLM Council</span>
          </header>
          <main id="main" class="main" tabIndex={-1} ref={main}>
            <Suspense fallback={<PageLoading />}>{props.children}</Suspense>
          </main>
        </div>
      </div>
    </ConversationsProvider>
  );
}
