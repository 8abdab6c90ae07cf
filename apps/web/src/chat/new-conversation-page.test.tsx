import type { CouncilClient } from '@llm-council/sdk';
import { fireEvent, screen, waitFor, within } from '@solidjs/testing-library';
import { expect, test } from 'vitest';
import { ConversationsProvider, createConversationsStore } from '../conversations/conversations-store';
import { createFakeCouncil } from '../testing/fake-council';
import { clientFor, fakeTrpcServer, sdkError } from '../testing/fake-trpc-fetch';
import { renderWithClient } from '../testing/render';
import { NewConversationPage } from './new-conversation-page';

const catalog = {
  provider: 'openrouter',
  source: 'catalog' as const,
  defaults: { models: ['openai/gpt-5.1', 'x-ai/grok-4'], chairmanModel: 'google/gemini-3-pro-preview' },
  models: [
    { id: 'openai/gpt-5.1', name: 'OpenAI: GPT-5.1', contextLength: 400_000, pricing: null },
    { id: 'x-ai/grok-4', name: 'xAI: Grok 4', contextLength: 256_000, pricing: null },
    { id: 'google/gemini-3-pro-preview', name: 'Google: Gemini 3 Pro Preview', contextLength: null, pricing: null },
  ],
};

function renderPage() {
  const fake = createFakeCouncil();
  fake.api.models.query.mockResolvedValue(catalog);
  const server = fakeTrpcServer({});
  // Conversations go through the real SDK over a fake server; the council is the controllable stub.
  const client = {
    conversations: clientFor(server).conversations,
    council: fake.client.council,
  } as unknown as CouncilClient;
  const store = createConversationsStore(client);
  renderWithClient(
    () => (
      <ConversationsProvider store={store}>
        <NewConversationPage />
      </ConversationsProvider>
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
  expect(server.calls).toEqual([]);
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
  expect(server.calls).toEqual([]);
  expect(box().value).toBe('Hello?');
});
