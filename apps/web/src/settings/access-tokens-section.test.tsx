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
  fireEvent.click(within(form).getByLabelText(/^council/));
  fireEvent.change(within(form).getByLabelText('Expires'), { target: { value: '30' } });
  fireEvent.click(within(form).getByRole('button', { name: 'Create token' }));

  const shown = await screen.findByRole('region', { name: 'New access token' });
  expect(within(shown).getByLabelText<HTMLInputElement>('Your new access token').value).toBe(TOKEN);
  expect(within(shown).getByRole('button', { name: 'Copy' })).toBeTruthy();
  expect(server.calls.find((c) => c.path === 'tokens.create')?.input).toEqual({
    name: 'laptop CLI',
    scopes: ['read', 'council'],
    expiresInDays: 30,
  });

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

test('a missing name or scope is explained before anything is sent; the cap error is shown', async () => {
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
  fireEvent.click(within(form).getByRole('button', { name: 'Create token' }));
  expect(await within(form).findByText('Choose at least one scope.')).toBeTruthy();
  expect(server.calls.some((c) => c.path === 'tokens.create')).toBe(false);

  fireEvent.click(within(form).getByLabelText(/^read/));
  fireEvent.click(within(form).getByRole('button', { name: 'Create token' }));
  expect(await within(form).findByText(/revoke one to create another/)).toBeTruthy();
});
