import { fireEvent, screen, waitFor, within } from '@solidjs/testing-library';
import { expect, test } from 'vitest';
import { SessionProvider, createSession } from '../auth/session';
import { clientFor, fakeTrpcServer, type FakeHandler } from '../testing/fake-trpc-fetch';
import { renderWithClient } from '../testing/render';
import { SettingsPage } from './settings-page';

const savedAt = '2025-11-26T12:00:00.000Z';
const providers = [
  { id: 'openrouter', label: 'OpenRouter', hasServerKey: false },
  { id: 'ollama', label: 'Ollama', hasServerKey: false },
];

function renderSettings(handlers: Record<string, FakeHandler>) {
  const server = fakeTrpcServer({
    'settings.providers': () => ({ data: providers }),
    'tokens.list': () => ({ data: [] }),
    'councils.list': () => ({ data: { councils: [], serverCouncils: [] } }),
    ...handlers,
  });
  const client = clientFor(server);
  const session = createSession(client);
  session.signedIn({ id: 'u1', email: 'ada@example.com' });
  renderWithClient(
    () => (
      <SessionProvider session={session}>
        <SettingsPage />
      </SessionProvider>
    ),
    client,
  );
  return server;
}

const card = (name: string) => screen.findByRole('region', { name });

test('saving a key shows only its hint, the validation result and the remaining credit', async () => {
  const server = renderSettings({
    'settings.listApiKeys': () => ({ data: [] }),
    'settings.saveApiKey': () => ({
      data: {
        provider: 'openrouter',
        keyHint: '…c0ffee',
        createdAt: savedAt,
        updatedAt: savedAt,
        validation: { status: 'valid', label: 'laptop', limit: 10, limitRemaining: 7.5, usage: 2.5, isFreeTier: false },
      },
    }),
  });
  const openrouter = await card('OpenRouter');
  const input = within(openrouter).getByLabelText<HTMLInputElement>('OpenRouter API key');
  expect(input.type).toBe('password');
  fireEvent.input(input, { target: { value: 'sk-or-v1-0123456789abcdefc0ffee' } });
  fireEvent.click(within(openrouter).getByRole('button', { name: 'Save key' }));

  const status = await within(openrouter).findByRole('status');
  expect(status.textContent).toBe(
    'Key verified by OpenRouter (“laptop”). Remaining credit: $7.50 of $10.00. Used so far: $2.50.',
  );
  expect(within(openrouter).getByText('…c0ffee')).toBeTruthy();
  expect(input.value).toBe('');
  expect(openrouter.textContent).not.toContain('sk-or-v1');
  expect(server.calls.find((c) => c.path === 'settings.saveApiKey')?.input).toEqual({
    provider: 'openrouter',
    apiKey: 'sk-or-v1-0123456789abcdefc0ffee',
  });
});

test('a rejected key is explained next to the field', async () => {
  renderSettings({
    'settings.listApiKeys': () => ({ data: [] }),
    'settings.saveApiKey': () => ({
      error: {
        code: 'BAD_REQUEST',
        message: 'OpenRouter rejected this key. Check that you copied it completely.',
        appCode: 'API_KEY_REJECTED',
      },
    }),
  });
  const openrouter = await card('OpenRouter');
  const input = within(openrouter).getByLabelText('OpenRouter API key');
  fireEvent.input(input, { target: { value: 'sk-or-v1-wrongwrong' } });
  fireEvent.click(within(openrouter).getByRole('button', { name: 'Save key' }));

  await waitFor(() => expect(input.getAttribute('aria-invalid')).toBe('true'));
  expect(openrouter.textContent).toContain('OpenRouter rejected this key.');
});

test('a saved key can be deleted after confirming', async () => {
  const server = renderSettings({
    'settings.listApiKeys': () => ({
      data: [{ provider: 'ollama', keyHint: '…local1', createdAt: savedAt, updatedAt: savedAt }],
    }),
    'settings.deleteApiKey': () => ({ data: { ok: true } }),
  });
  const ollama = await card('Ollama');
  expect(within(ollama).getByText('…local1')).toBeTruthy();
  fireEvent.click(within(ollama).getByRole('button', { name: 'Delete key' }));
  fireEvent.click(within(ollama).getByRole('button', { name: 'Delete' }));

  expect(await within(ollama).findByText('No key saved')).toBeTruthy();
  expect(server.calls.find((c) => c.path === 'settings.deleteApiKey')?.input).toEqual({ provider: 'ollama' });
});
