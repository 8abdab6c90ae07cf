import { fireEvent, screen, waitFor, within } from '@solidjs/testing-library';
import { expect, test } from 'vitest';
import { SessionProvider, createSession } from '../auth/session';
import { clientFor, fakeTrpcServer, type FakeHandler } from '../testing/fake-trpc-fetch';
import { renderWithClient } from '../testing/render';
import { ConversationsProvider, createConversationsStore } from './conversations-store';
import { Sidebar } from './sidebar';

const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000).toISOString();
const item = (id: string, title: string, updatedAt: string) => ({
  id,
  title,
  messageCount: 2,
  createdAt: updatedAt,
  updatedAt,
});

function renderSidebar(handlers: Record<string, FakeHandler>) {
  const server = fakeTrpcServer(handlers);
  const client = clientFor(server);
  const session = createSession(client);
  session.signedIn({ id: 'u1', email: 'ada@example.com' });
  const store = createConversationsStore(client);
  renderWithClient(
    () => (
      <SessionProvider session={session}>
        <ConversationsProvider store={store}>
          <Sidebar onNavigate={() => undefined} onClose={() => undefined} />
        </ConversationsProvider>
      </SessionProvider>
    ),
    client,
  );
  return server;
}

const titles = () =>
  within(screen.getByRole('list', { name: '' }).closest('.conversation-scroll') as HTMLElement)
    .getAllByRole('link')
    .map((link) => link.querySelector('.conversation-title')?.textContent);

test('conversations load newest first with their last activity, and "Load more" fetches the next page', async () => {
  const server = renderSidebar({
    'conversations.list': (input) =>
      (input as { cursor?: string | null }).cursor === 'page-2'
        ? { data: { items: [item('c3', 'Oldest', minutesAgo(60 * 24 * 3))], nextCursor: null } }
        : {
            data: {
              items: [item('c1', 'Newest', minutesAgo(0)), item('c2', 'Older', minutesAgo(5))],
              nextCursor: 'page-2',
            },
          },
  });

  expect(await screen.findByText('Newest')).toBeTruthy();
  expect(titles()).toEqual(['Newest', 'Older']);
  expect(screen.getByText('just now')).toBeTruthy();
  expect(screen.getByText(/5 min/)).toBeTruthy();
  expect(screen.getByText('ada@example.com')).toBeTruthy();

  fireEvent.click(screen.getByRole('button', { name: 'Load more' }));
  expect(await screen.findByText('Oldest')).toBeTruthy();
  expect(titles()).toEqual(['Newest', 'Older', 'Oldest']);
  expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
  expect(server.calls.filter((c) => c.path === 'conversations.list').map((c) => c.input)).toEqual([
    { limit: 30, cursor: null },
    { limit: 30, cursor: 'page-2' },
  ]);
});

test('a conversation is renamed in place', async () => {
  const server = renderSidebar({
    'conversations.list': () => ({ data: { items: [item('c1', 'Old title', minutesAgo(1))], nextCursor: null } }),
    'conversations.rename': (input) => {
      const { id, title } = input as { id: string; title: string };
      return {
        data: { id, title, models: null, chairmanModel: null, createdAt: minutesAgo(1), updatedAt: minutesAgo(0) },
      };
    },
  });
  fireEvent.click(await screen.findByRole('button', { name: 'Rename “Old title”' }));
  const input = screen.getByLabelText('New title');
  fireEvent.input(input, { target: { value: 'Capitals of Europe' } });
  fireEvent.submit(input.closest('form') as HTMLFormElement);

  expect(await screen.findByText('Capitals of Europe')).toBeTruthy();
  expect(server.calls.find((c) => c.path === 'conversations.rename')?.input).toEqual({
    id: 'c1',
    title: 'Capitals of Europe',
  });
});

test('deleting asks for confirmation first, and Cancel keeps the conversation', async () => {
  const server = renderSidebar({
    'conversations.list': () => ({
      data: { items: [item('c1', 'Keep me', minutesAgo(1)), item('c2', 'Delete me', minutesAgo(2))], nextCursor: null },
    }),
    'conversations.delete': () => ({ data: { ok: true } }),
  });
  fireEvent.click(await screen.findByRole('button', { name: 'Delete “Keep me”' }));
  expect(screen.getByText(/Delete “Keep me”\? This cannot be undone\./)).toBeTruthy();
  fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
  expect(server.calls.some((c) => c.path === 'conversations.delete')).toBe(false);

  fireEvent.click(screen.getByRole('button', { name: 'Delete “Delete me”' }));
  fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
  await waitFor(() =>
    expect(server.calls.filter((c) => c.path === 'conversations.delete').map((c) => c.input)).toEqual([{ id: 'c2' }]),
  );
  await waitFor(() => expect(screen.queryByText(/Delete me/)).toBeNull());
  expect(titles()).toEqual(['Keep me']);
});
