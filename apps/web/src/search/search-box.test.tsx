import { fireEvent, screen, waitFor } from '@solidjs/testing-library';
import { expect, test } from 'vitest';
import { SessionProvider, createSession } from '../auth/session';
import { ConversationsProvider, createConversationsStore } from '../conversations/conversations-store';
import { Sidebar } from '../conversations/sidebar';
import { clientFor, fakeTrpcServer } from '../testing/fake-trpc-fetch';
import { renderWithClient } from '../testing/render';

test('typing searches (debounced), shows highlighted snippets as text, and "/" focuses the box', async () => {
  const queries: string[] = [];
  const server = fakeTrpcServer({
    'conversations.list': () => ({ data: { items: [], nextCursor: null } }),
    'conversations.search': (input) => {
      queries.push((input as { query: string }).query);
      return {
        data: {
          items: [
            {
              conversationId: 'c1',
              title: 'Green tea',
              snippet: 'brew <mark>tea</mark> at 80 &#60;b&#62;degrees&#60;/b&#62;',
              messageId: 'm1',
            },
          ],
          nextCursor: null,
        },
      };
    },
  });
  const client = clientFor(server);
  const session = createSession(client);
  session.signedIn({ id: 'u1', email: 'ada@example.com' });
  renderWithClient(
    () => (
      <SessionProvider session={session}>
        <ConversationsProvider store={createConversationsStore(client)}>
          <Sidebar onNavigate={() => undefined} onClose={() => undefined} />
        </ConversationsProvider>
      </SessionProvider>
    ),
    client,
  );

  const box = screen.getByRole('searchbox', { name: 'Search conversations' });
  fireEvent.keyDown(document.body, { key: '/' });
  expect(document.activeElement).toBe(box);
  fireEvent.input(box, { target: { value: 't' } });
  fireEvent.input(box, { target: { value: 'te' } });
  fireEvent.input(box, { target: { value: 'tea' } });

  const result = await screen.findByRole('link', { name: /Green tea/ });
  expect(queries).toEqual(['tea']); // one request for three keystrokes
  expect(result.getAttribute('href')).toBe('/c/c1#turn-m1');
  expect(result.querySelector('mark')?.textContent).toBe('tea');
  // Escaped markup in a snippet stays text.
  expect(result.textContent).toContain('<b>degrees</b>');
  expect(result.querySelector('b')).toBeNull();

  fireEvent.input(box, { target: { value: '' } });
  await waitFor(() => expect(screen.queryByRole('link', { name: /Green tea/ })).toBeNull());
});
