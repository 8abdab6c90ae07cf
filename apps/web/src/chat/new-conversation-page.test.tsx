import type { CouncilClient } from '@llm-council/sdk';
import { fireEvent, screen, waitFor, within } from '@solidjs/testing-library';
import { Suspense } from 'solid-js';
import { expect, test } from 'vitest';
import { ConversationsProvider, createConversationsStore } from '../conversations/conversations-store';
import { createFakeCouncil } from '../testing/fake-council';
import { clientFor, fakeTrpcServer, sdkError } from '../testing/fake-trpc-fetch';
import { renderWithClient } from '../testing/render';
import type { SavedCouncil } from '../councils/saved-councils';
import { NewConversationPage } from './new-conversation-page';
import { modelCatalog as catalog } from '../testing/conversation-fixtures';

function renderPage(savedCouncils: SavedCouncil[] = [], councilsListed: Promise<void> = Promise.resolve()) {
  const fake = createFakeCouncil();
  fake.api.models.query.mockResolvedValue(catalog);
  const server = fakeTrpcServer({
    'councils.list': async () => (
      await councilsListed,
      {
        data: {
          councils: savedCouncils.filter((c) => !c.id.startsWith('server:')),
          serverCouncils: savedCouncils.filter((c) => c.id.startsWith('server:')),
        },
      }
    ),
  });
  // Conversations and councils go through the real SDK over a fake server; the council is the controllable stub.
  const sdk = clientFor(server);
  const client = {
    conversations: sdk.conversations,
    councils: sdk.councils,
    council: fake.client.council,
  } as unknown as CouncilClient;
  const store = createConversationsStore(client);
  renderWithClient(
    () => (
      // As in the app shell: a page that reads a loading resource in its render shows the fallback.
      <Suspense fallback={<p>Loading the page…</p>}>
        <ConversationsProvider store={store}>
          <NewConversationPage />
        </ConversationsProvider>
      </Suspense>
    ),
    client,
  );
  return { fake, server };
}

const box = () => screen.getByLabelText<HTMLTextAreaElement>('Message the council');

test('the council starts from the server defaults and the first question starts a run with them', async () => {
  const { fake, server } = renderPage();
  const members = await screen.findByRole('list', { name: 'Council members' });
  expect(
    within(members)
      .getAllByRole('listitem')
      .map((li) => li.textContent),
  ).toEqual(['gpt-5.1', 'grok-4', 'gemini-3-pro-preview· chairman']);
  fireEvent.input(box(), { target: { value: 'Which city is the capital of France?' } });
  fireEvent.keyDown(box(), { key: 'Enter' });

  await waitFor(() => expect(fake.api.start.mutate).toHaveBeenCalled());
  // One call creates the conversation with its run: no conversation id, no separate create.
  expect(server.calls.filter((c) => c.path !== 'councils.list')).toEqual([]);
  const input = fake.api.start.mutate.mock.lastCall?.[0];
  expect(input).toMatchObject({ content: 'Which city is the capital of France?', ...catalog.defaults });
  expect(input).not.toHaveProperty('conversationId');
});

test('a refused start keeps the question and links to Settings, with nothing to clean up', async () => {
  const { fake, server } = renderPage();
  fake.api.start.mutate.mockRejectedValueOnce(
    await sdkError({
      code: 'PRECONDITION_FAILED',
      message: 'No OpenRouter API key: add yours in Settings.',
      appCode: 'NO_API_KEY',
    }),
  );
  await screen.findByRole('list', { name: 'Council members' });
  fireEvent.input(box(), { target: { value: 'Hello?' } });
  fireEvent.keyDown(box(), { key: 'Enter' });

  const alert = await screen.findByRole('alert');
  expect(alert.textContent).toContain('No OpenRouter API key');
  expect(within(alert).getByRole('link', { name: 'Open Settings' })).toBeTruthy();
  expect(server.calls.filter((c) => c.path !== 'councils.list')).toEqual([]);
  expect(box().value).toBe('Hello?');
});

const oneModelChat: SavedCouncil = {
  id: '6f1d2c3b-4a59-4e8f-9b0a-1c2d3e4f5a60',
  name: 'Just GPT',
  models: ['openai/gpt-5.1'],
  chairmanModel: 'google/gemini-3-pro-preview',
  mode: 'answers',
  instructions: 'Be brief.',
  reasoningEffort: 'none',
  webSearch: true,
};
const serverReview: SavedCouncil = {
  ...oneModelChat,
  id: 'server:review-board',
  name: 'Review board',
  models: ['openai/gpt-5.1', 'x-ai/grok-4'],
  mode: 'ranked',
  instructions: '',
  webSearch: false,
};

const askWith = () => screen.getByLabelText<HTMLSelectElement>('Ask with');

test('asking with a saved council sends its id, mode and web search — not its members again — and remembers it', async () => {
  localStorage.clear();
  const { fake } = renderPage([oneModelChat, serverReview]);
  await screen.findByRole('list', { name: 'Council members' });
  await waitFor(() => expect(within(askWith()).getByRole('option', { name: 'Just GPT' })).toBeTruthy());
  expect(within(askWith()).getByRole('group', { name: 'From this server' }).textContent).toContain('Review board');

  fireEvent.change(askWith(), { target: { value: oneModelChat.id } });
  // Its members and settings show: one model is enough in answers mode, no chairman, its instructions.
  const members = await screen.findByRole('list', { name: 'Council members' });
  await waitFor(() =>
    expect(
      within(members)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['gpt-5.1']),
  );
  expect(screen.getByLabelText<HTMLSelectElement>('Mode').value).toBe('answers');
  expect(screen.getByLabelText<HTMLInputElement>('Search the web').checked).toBe(true);
  expect(screen.getByText('Be brief.')).toBeTruthy();

  fireEvent.input(box(), { target: { value: 'Quick one?' } });
  fireEvent.keyDown(box(), { key: 'Enter' });
  await waitFor(() => expect(fake.api.start.mutate).toHaveBeenCalled());
  const input = fake.api.start.mutate.mock.lastCall?.[0];
  expect(input).toMatchObject({ content: 'Quick one?', councilId: oneModelChat.id, mode: 'answers', webSearch: true });
  expect(input).not.toHaveProperty('models');
  await waitFor(() => expect(localStorage.getItem('llm-council:last-council')).toBe(oneModelChat.id));
});

test('the council last asked with is chosen again; changing its members or mode sends them explicitly', async () => {
  localStorage.setItem('llm-council:last-council', serverReview.id);
  const { fake } = renderPage([oneModelChat, serverReview]);
  await waitFor(() => expect(askWith().value).toBe(serverReview.id));
  expect(screen.getByLabelText<HTMLSelectElement>('Mode').value).toBe('ranked');

  fireEvent.change(screen.getByLabelText('Mode'), { target: { value: 'full' } });
  fireEvent.click(screen.getByRole('button', { name: 'Change' }));
  fireEvent.click(screen.getByRole('checkbox', { name: /Gemini 3 Pro/ }));
  fireEvent.input(box(), { target: { value: 'With three?' } });
  fireEvent.keyDown(box(), { key: 'Enter' });
  await waitFor(() => expect(fake.api.start.mutate).toHaveBeenCalled());
  expect(fake.api.start.mutate.mock.lastCall?.[0]).toMatchObject({
    councilId: serverReview.id,
    mode: 'full',
    models: ['openai/gpt-5.1', 'x-ai/grok-4', 'google/gemini-3-pro-preview'],
  });
  localStorage.clear();
});

test('while the saved councils load, the page stays usable: a question can be typed and sent', async () => {
  let listed = () => undefined as void;
  const { fake } = renderPage([], new Promise<void>((resolve) => (listed = resolve)));
  await screen.findByRole('list', { name: 'Council members' });
  expect(screen.queryByText('Loading the page…')).toBeNull();
  fireEvent.input(box(), { target: { value: 'Before the councils came?' } });
  fireEvent.keyDown(box(), { key: 'Enter' });
  await waitFor(() => expect(fake.api.start.mutate).toHaveBeenCalled());
  expect(fake.api.start.mutate.mock.lastCall?.[0]).toMatchObject({ content: 'Before the councils came?' });
  listed();
});
