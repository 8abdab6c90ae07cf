import { fireEvent, screen, waitFor, within } from '@solidjs/testing-library';
import { expect, test } from 'vitest';
import { clientFor, fakeTrpcServer, type FakeHandler } from '../testing/fake-trpc-fetch';
import { renderWithClient } from '../testing/render';
import { AccessTokensSection } from './access-tokens-section';

const TOKEN = `llmc_pat_AbCdEf${'x'.repeat(37)}`;
const createdAt = '2026-11-20T10:00:00.000Z';

function summary(id: string, name: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    name,
    prefix: 'llmc_pat_AbCdEf',
    scopes: ['read'],
    expiresAt: null,
    lastUsedAt: null,
    createdAt,
    ...extra,
  };
}

function renderTokens(handlers: Record<string, FakeHandler>) {
  const server = fakeTrpcServer(handlers);
  renderWithClient(() => <AccessTokensSection />, clientFor(server));
  return server;
}

test('creating a token shows it once with a copy button, then lists it by prefix with its last use', async () => {
  let listed: unknown[] = [];
  const server = renderTokens({
    'tokens.list': () => ({ data: listed }),
    'tokens.create': () => {
      listed = [summary('t1', 'laptop CLI', { scopes: ['read', 'council'] })];
      return { data: { ...summary('t1', 'laptop CLI', { scopes: ['read', 'council'] }), token: TOKEN } };
    },
  });
  await screen.findByText('No access tokens yet.');
  const form = screen.getByRole('form', { name: 'New access token' });
  fireEvent.input(within(form).getByLabelText('Token name'), { target: { value: ' laptop CLI ' } });
  fireEvent.change(within(form).getByLabelText('Expires'), { target: { value: '30' } });
  fireEvent.input(within(form).getByLabelText('Your password'), { target: { value: 'my passphrase' } });
  fireEvent.click(within(form).getByRole('button', { name: 'Create token' }));

  const shown = await screen.findByRole('region', { name: 'New access token' });
  expect(within(shown).getByLabelText<HTMLInputElement>('Your new access token').value).toBe(TOKEN);
  expect(within(shown).getByRole('button', { name: 'Copy' })).toBeTruthy();
  expect(server.calls.find((c) => c.path === 'tokens.create')?.input).toEqual({
    name: 'laptop CLI',
    scopes: ['read', 'council'],
    expiresInDays: 30,
    password: 'my passphrase',
  });
  expect(within(form).getByLabelText<HTMLInputElement>('Your password').value).toBe('');

  const row = await screen.findByRole('listitem', { name: 'laptop CLI' });
  expect(row.textContent).toContain('llmc_pat_AbCdEf…');
  expect(row.textContent).toContain('read + council');
  expect(row.textContent).toContain('Last used never');
  expect(row.textContent).not.toContain(TOKEN);

  fireEvent.click(within(shown).getByRole('button', { name: 'Done' }));
  await waitFor(() => expect(screen.queryByRole('region', { name: 'New access token' })).toBeNull());
  expect(document.body.textContent).not.toContain(TOKEN);
});

test('revoking asks first, then removes the token from the list', async () => {
  let listed = [summary('t1', 'old script', { lastUsedAt: new Date(Date.now() - 5 * 60_000).toISOString() })];
  const server = renderTokens({
    'tokens.list': () => ({ data: listed }),
    'tokens.revoke': () => {
      listed = [];
      return { data: { ok: true } };
    },
  });
  const row = await screen.findByRole('listitem', { name: 'old script' });
  expect(row.textContent).toMatch(/Last used 5 min/);
  fireEvent.click(within(row).getByRole('button', { name: 'Revoke' }));
  expect(server.calls.some((c) => c.path === 'tokens.revoke')).toBe(false);
  const confirm = within(row).getByRole('group', { name: 'Confirm revoking old script' });
  fireEvent.click(within(confirm).getByRole('button', { name: 'Revoke' }));

  expect((await screen.findByRole('status')).textContent).toMatch(/“old script” revoked/);
  await waitFor(() => expect(screen.queryByRole('listitem', { name: 'old script' })).toBeNull());
  expect(server.calls.find((c) => c.path === 'tokens.revoke')?.input).toEqual({ id: 't1' });
});

test('a missing name, scope or password is explained before anything is sent; the cap error is shown', async () => {
  const server = renderTokens({
    'tokens.list': () => ({ data: [] }),
    'tokens.create': () => ({
      error: {
        code: 'BAD_REQUEST',
        message: 'You have 20 access tokens already; revoke one to create another',
        appCode: 'ACCESS_TOKEN_LIMIT_REACHED',
      },
    }),
  });
  const form = await screen.findByRole('form', { name: 'New access token' });
  fireEvent.click(within(form).getByRole('button', { name: 'Create token' }));
  expect(await within(form).findByText(/Name the token/)).toBeTruthy();
  fireEvent.input(within(form).getByLabelText('Token name'), { target: { value: 'ci' } });
  fireEvent.click(within(form).getByLabelText(/^read/));
  fireEvent.click(within(form).getByLabelText(/^council/));
  fireEvent.click(within(form).getByRole('button', { name: 'Create token' }));
  expect(await within(form).findByText('Choose at least one scope.')).toBeTruthy();
  fireEvent.click(within(form).getByLabelText(/^read/));
  fireEvent.click(within(form).getByRole('button', { name: 'Create token' }));
  expect(await within(form).findByText('Enter your password to create a token.')).toBeTruthy();
  expect(server.calls.some((c) => c.path === 'tokens.create')).toBe(false);

  fireEvent.input(within(form).getByLabelText('Your password'), { target: { value: 'my passphrase' } });
  fireEvent.click(within(form).getByRole('button', { name: 'Create token' }));
  expect(await within(form).findByText(/revoke one to create another/)).toBeTruthy();
});

// Issue 17: the form offered `read` alone, which the CLI cannot ask with, and "Never" without a word.
// Fails on old main (default scopes ['read'], no warning, no password field).
test('the form defaults to read + council and 90 days; "Never" warns and is sent as an explicit null', async () => {
  const server = renderTokens({
    'tokens.list': () => ({ data: [] }),
    'tokens.create': () => ({ data: { ...summary('t1', 'forever'), token: TOKEN } }),
  });
  const form = await screen.findByRole('form', { name: 'New access token' });
  expect(within(form).getByLabelText<HTMLInputElement>(/^read/).checked).toBe(true);
  expect(within(form).getByLabelText<HTMLInputElement>(/^council/).checked).toBe(true);
  expect(within(form).getByLabelText<HTMLSelectElement>('Expires').value).toBe('90');
  expect(within(form).queryByRole('note')).toBeNull();

  fireEvent.change(within(form).getByLabelText('Expires'), { target: { value: '' } });
  expect((await within(form).findByRole('note')).textContent).toMatch(/never expires works until you revoke it/);
  fireEvent.input(within(form).getByLabelText('Token name'), { target: { value: 'forever' } });
  fireEvent.input(within(form).getByLabelText('Your password'), { target: { value: 'my passphrase' } });
  fireEvent.click(within(form).getByRole('button', { name: 'Create token' }));
  await screen.findByRole('region', { name: 'New access token' });
  expect(server.calls.find((c) => c.path === 'tokens.create')?.input).toEqual({
    name: 'forever',
    scopes: ['read', 'council'],
    expiresInDays: null,
    password: 'my passphrase',
  });
});

test('a wrong password is shown next to the password field', async () => {
  renderTokens({
    'tokens.list': () => ({ data: [] }),
    'tokens.create': () => ({
      error: { code: 'UNAUTHORIZED', message: 'Current password is incorrect', appCode: 'INVALID_CREDENTIALS' },
    }),
  });
  const form = await screen.findByRole('form', { name: 'New access token' });
  fireEvent.input(within(form).getByLabelText('Token name'), { target: { value: 'ci' } });
  fireEvent.input(within(form).getByLabelText('Your password'), { target: { value: 'wrong one' } });
  fireEvent.click(within(form).getByRole('button', { name: 'Create token' }));
  const message = await within(form).findByText('Current password is incorrect');
  expect(message.closest('.field')?.querySelector('input')?.getAttribute('name')).toBe('password');
});
