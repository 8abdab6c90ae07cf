import type { CouncilClient } from '@llm-council/sdk';
import { A, Route, Router, type RouteSectionProps } from '@solidjs/router';
import { lazy, onMount } from 'solid-js';
import { ClientProvider } from './client-context';
import { AppShell } from './app-shell';
import { LoginPage } from './auth/login-page';
import { RequireAuth } from './auth/require-auth';
import { SessionProvider, type Session } from './auth/session';

// Screens behind sign-in load on demand: the first paint (login or the restored session) only
// needs the shell, which keeps the initial download inside its budget.
const NewConversationPage = lazy(() =>
  import('./chat/new-conversation-page').then((m) => ({ default: m.NewConversationPage })),
);
const ChatPage = lazy(() => import('./chat/chat-page').then((m) => ({ default: m.ChatPage })));
const SettingsPage = lazy(() => import('./settings/settings-page').then((m) => ({ default: m.SettingsPage })));
const UsagePage = lazy(() => import('./usage/usage-page').then((m) => ({ default: m.UsagePage })));

function ProtectedLayout(props: RouteSectionProps) {
  return (
    <RequireAuth>
      <AppShell {...props} />
    </RequireAuth>
  );
}

function NotFound() {
  return (
    <main class="not-found" id="main">
      <h1>Page not found</h1>
      <p>There is nothing at this address.</p>
      <A class="button button-primary" href="/">
        Back to the council
      </A>
    </main>
  );
}

/** The whole app; `client` is the SDK client (a stand-in in tests). */
export function App(props: { client: CouncilClient; session: Session }) {
  onMount(() => void props.session.restore());
  return (
    <ClientProvider client={props.client}>
      <SessionProvider session={props.session}>
        <Router>
          <Route path="/login" component={LoginPage} />
          <Route component={ProtectedLayout}>
            <Route path="/" component={NewConversationPage} />
            <Route path="/c/:id" component={ChatPage} />
            <Route path="/settings" component={SettingsPage} />
            <Route path="/usage" component={UsagePage} />
          </Route>
          <Route path="*404" component={NotFound} />
        </Router>
      </SessionProvider>
    </ClientProvider>
  );
}
