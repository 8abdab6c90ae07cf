import type { CouncilClient } from '@llm-council/sdk';
import { MemoryRouter, Route, createMemoryHistory } from '@solidjs/router';
import { cleanup, render } from '@solidjs/testing-library';
import type { JSX } from 'solid-js';
import { afterEach } from 'vitest';
import { ClientProvider } from '../client-context';

// The project runs without vitest globals, so testing-library cannot register its own cleanup:
// every test file that renders through these helpers unmounts after each test.
afterEach(cleanup);

/**
 * Renders `ui` inside a memory router at `location`. (testing-library's own `location` option
 * imports the router outside Vite, where its `.jsx` entry cannot load, and silently renders
 * without one — so the router is set up here.)
 */
export function renderUi(ui: () => JSX.Element, location = '/') {
  const history = createMemoryHistory();
  history.set({ value: location, replace: true, scroll: false });
  return render(() => (
    <MemoryRouter history={history}>
      <Route path="*" component={() => ui()} />
    </MemoryRouter>
  ));
}

/** Renders `ui` with `client` available through `useClient()`, inside a memory router. */
export function renderWithClient(ui: () => JSX.Element, client: CouncilClient, location?: string) {
  return renderUi(() => <ClientProvider client={client}>{ui()}</ClientProvider>, location);
}

/** The text a screen reader announces as an input's description (its hint and errors). */
export function descriptionOf(element: HTMLElement): string {
  const ids = element.getAttribute('aria-describedby')?.split(/\s+/) ?? [];
  return ids
    .map((id) => document.getElementById(id)?.textContent ?? '')
    .join(' ')
    .trim();
}
