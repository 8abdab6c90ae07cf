import { createCouncilClient } from '@llm-council/sdk';
import { cleanup, fireEvent, render, screen, waitFor } from '@solidjs/testing-library';
import { afterEach, expect, test } from 'vitest';
import { App } from './app';
import { createSession } from './auth/session';
import { fakeTrpcServer, type FakeHandler } from './testing/fake-trpc-fetch';

afterEach(() => {
  cleanup();
  window.history.replaceState(null, '', '/');
});

const user = { id: 'u1', email: 'ada@example.com', createdAt: '2025-11-26T00:00:00.000Z' };
const signedIn = {
  user,
  accessToken: 'access-token',
  accessTokenExpiresAt: '2099-01-01T00:00:00.000Z',
  refreshToken: null,
};
const noSession: FakeHandler = () => ({
  error: { code: 'UNAUTHORIZED', message: 'No session to refresh; please sign in', appCode: 'SESSION_EXPIRED' },
});
const signedInApi: Record<string, FakeHandler> = {
  'auth.me': () => ({ data: user }),
  'auth.logout': () => ({ data: { ok: true } }),
  'conversations.list': () => ({
    data: {
      items: [
        {
          id: 'c1',
          title: 'Capital of France',
          messageCount: 2,
          createdAt: user.createdAt,
          updatedAt: new Date().toISOString(),
        },
      ],
      nextCursor: null,
    },
  }),
  'settings.providers': () => ({ data: [{ id: 'openrouter', label: 'OpenRouter', hasServerKey: false }] }),
  'settings.listApiKeys': () => ({ data: [] }),
};

/** The whole app at `path`, over the real SDK client and a fake server. */
function renderApp(path: string, handlers: Record<string, FakeHandler>) {
  window.history.replaceState(null, '', path);
  const server = fakeTrpcServer(handlers);
  const client = createCouncilClient({
    url: 'http://council.test',
    transport: 'cookie',
    fetch: server.fetch,
    onSessionExpired: () => session.expire(),
  });
  const session = createSession(client);
  render(() => <App client={client} session={session} />);
  return server;
}

test('a signed-out visit to a protected page goes to sign-in and, after signing in, straight back', async () => {
  const server = renderApp('/settings', {
    ...signedInApi,
    'auth.refresh': noSession,
    'auth.login': () => ({ data: signedIn }),
  });

  expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeTruthy();
  // The router draws the sign-in page before it writes the address to the history.
  await waitFor(() => expect(window.location.pathname + window.location.search).toBe('/login?next=%2Fsettings'));
  fireEvent.input(screen.getByLabelText(/^email$/i), { target: { value: 'ada@example.com' } });
  fireEvent.input(screen.getByLabelText(/^password$/i), { target: { value: 'correct horse battery staple' } });
  fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));

  expect(await screen.findByRole('heading', { name: 'Settings', level: 1 })).toBeTruthy();
  await waitFor(() => expect(window.location.pathname).toBe('/settings'));
  expect(await screen.findByText('No key saved')).toBeTruthy();
  expect(server.calls.map((c) => c.path)).toContain('settings.listApiKeys');
  // Tokens never touch web storage: the session token lives in the SDK's memory only. (The check
  // reads every stored value, not the count: test files share a page, and another file's view may
  // store a draft or a preference of its own after its test ended.)
  const stored = [localStorage, sessionStorage].flatMap((storage) =>
    Array.from({ length: storage.length }, (_, i) => `${storage.key(i)}=${storage.getItem(storage.key(i) ?? '')}`),
  );
  expect(stored.filter((entry) => entry.includes(signedIn.accessToken))).toEqual([]);
});

test('a reload with a live refresh cookie restores the session without showing the sign-in form', async () => {
  renderApp('/', { ...signedInApi, 'auth.refresh': () => ({ data: signedIn }) });

  expect(await screen.findByText('ada@example.com')).toBeTruthy();
  expect(screen.queryByRole('heading', { name: 'Sign in' })).toBeNull();
  expect(await screen.findByText('Capital of France')).toBeTruthy();
  expect(await screen.findByRole('heading', { name: /What should the council consider/ })).toBeTruthy();
});

test('logging out ends the session on the server and returns to sign-in', async () => {
  const server = renderApp('/', { ...signedInApi, 'auth.refresh': () => ({ data: signedIn }) });
  fireEvent.click(await screen.findByRole('button', { name: 'Log out' }));

  expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeTruthy();
  expect(server.calls.map((c) => c.path)).toContain('auth.logout');
  await waitFor(() => expect(window.location.pathname).toBe('/login'));
});
