import { fireEvent, screen, waitFor, within } from '@solidjs/testing-library';
import { expect, test } from 'vitest';
import { SessionProvider, createSession } from '../auth/session';
import { clientFor, fakeTrpcServer, type FakeHandler } from '../testing/fake-trpc-fetch';
import { descriptionOf, renderWithClient } from '../testing/render';
import { AccountSection } from './account-section';

const at = new Date(Date.now() - 5 * 60_000).toISOString();
const laptop = {
  id: '11111111-1111-4111-8111-111111111111',
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
  ip: '192.0.2.10',
  createdAt: at,
  lastUsedAt: at,
  current: true,
};
const phone = {
  id: '22222222-2222-4222-8222-222222222222',
  userAgent:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1',
  ip: '198.51.100.7',
  createdAt: at,
  lastUsedAt: at,
  current: false,
};
const signedIn = {
  user: { id: 'u1', email: 'ada@example.com', createdAt: at },
  accessToken: 'new-access-token',
  accessTokenExpiresAt: new Date(Date.now() + 3_600_000).toISOString(),
  refreshToken: null,
};

function renderAccount(handlers: Record<string, FakeHandler>) {
  const server = fakeTrpcServer({ 'account.sessions': () => ({ data: [laptop, phone] }), ...handlers });
  const client = clientFor(server);
  const session = createSession(client);
  session.signedIn({ id: 'u1', email: 'ada@example.com' });
  renderWithClient(
    () => (
      <SessionProvider session={session}>
        <AccountSection />
      </SessionProvider>
    ),
    client,
    '/settings',
  );
  return { server, session };
}

const field = (form: HTMLElement, label: string) => within(form).getByLabelText<HTMLInputElement>(label);

async function fillPasswordForm(values: { current: string; next: string; confirm: string }) {
  const form = (await screen.findByRole('heading', { name: 'Change password' })).closest('form') as HTMLElement;
  fireEvent.input(field(form, 'Current password'), { target: { value: values.current } });
  fireEvent.input(field(form, 'New password'), { target: { value: values.next } });
  fireEvent.input(field(form, 'Confirm new password'), { target: { value: values.confirm } });
  fireEvent.click(within(form).getByRole('button', { name: 'Change password' }));
  return form;
}

test('a mismatched confirmation is caught before anything is sent', async () => {
  const { server } = renderAccount({});
  const form = await fillPasswordForm({ current: 'old one', next: 'a new passphrase', confirm: 'a new passphrase!' });
  await waitFor(() => expect(descriptionOf(field(form, 'Confirm new password'))).toBe('The passwords do not match.'));
  expect(server.calls.some((c) => c.path === 'account.changePassword')).toBe(false);
});

test('a wrong current password and a weak new one are shown next to their fields', async () => {
  let reply: FakeHandler = () => ({
    error: { code: 'UNAUTHORIZED', message: 'Current password is incorrect', appCode: 'INVALID_CREDENTIALS' },
  });
  renderAccount({ 'account.changePassword': (input) => reply(input) });
  const form = await fillPasswordForm({ current: 'wrong', next: 'a new passphrase', confirm: 'a new passphrase' });
  await waitFor(() => expect(descriptionOf(field(form, 'Current password'))).toBe('Current password is incorrect'));

  reply = () => ({
    error: { code: 'BAD_REQUEST', message: 'This password is too common', appCode: 'WEAK_PASSWORD' },
  });
  fireEvent.click(within(form).getByRole('button', { name: 'Change password' }));
  await waitFor(() => expect(descriptionOf(field(form, 'New password'))).toContain('This password is too common'));
  expect(field(form, 'Current password').getAttribute('aria-invalid')).toBe('false');
});

test('a changed password says the other devices were signed out and reloads the device list', async () => {
  const { server } = renderAccount({ 'account.changePassword': () => ({ data: signedIn }) });
  const form = await fillPasswordForm({ current: 'old one', next: 'a new passphrase', confirm: 'a new passphrase' });
  expect((await within(form).findByRole('status')).textContent).toContain(
    'other devices and access tokens have been signed out',
  );
  expect(field(form, 'Current password').value).toBe('');
  // The SDK sends it as a sign-in (it stores the tokens that come back), in cookie mode; the
  // "keep my access tokens" box is unchecked unless ticked (issue 17).
  expect(server.calls.find((c) => c.path === 'account.changePassword')?.input).toEqual({
    currentPassword: 'old one',
    newPassword: 'a new passphrase',
    keepAccessTokens: false,
    transport: 'cookie',
  });
  await waitFor(() => expect(server.calls.filter((c) => c.path === 'account.sessions')).toHaveLength(2));
});

test('the device list names each device, marks this one, and revokes another', async () => {
  const { server } = renderAccount({
    'account.revokeSession': () => ({ data: { ok: true } }),
  });
  const mine = await screen.findByRole('listitem', { name: 'Firefox on Linux' });
  expect(within(mine).getByText('This device')).toBeTruthy();
  expect(mine.textContent).toContain('192.0.2.10');
  expect(within(mine).queryByRole('button', { name: 'Revoke' })).toBeNull();

  const other = screen.getByRole('listitem', { name: 'Safari on iPhone' });
  fireEvent.click(within(other).getByRole('button', { name: 'Revoke' }));
  await waitFor(() => expect(screen.queryByRole('listitem', { name: 'Safari on iPhone' })).toBeNull());
  expect(screen.getByRole('status').textContent).toBe('Safari on iPhone has been signed out.');
  expect(server.calls.find((c) => c.path === 'account.revokeSession')?.input).toEqual({ id: phone.id });
});

test('"Sign out everywhere else" keeps only this device', async () => {
  renderAccount({ 'account.revokeOtherSessions': () => ({ data: { ended: 1 } }) });
  fireEvent.click(await screen.findByRole('button', { name: 'Sign out everywhere else' }));
  await waitFor(() =>
    expect(screen.getAllByRole('listitem').map((li) => li.getAttribute('aria-label'))).toEqual(['Firefox on Linux']),
  );
  expect(screen.getByRole('status').textContent).toBe('Signed out of 1 other device.');
  expect(screen.queryByRole('button', { name: 'Sign out everywhere else' })).toBeNull();
});

test('deleting the account asks for the password, shows a wrong one, and signs out once it is gone', async () => {
  let reply: FakeHandler = () => ({
    error: { code: 'UNAUTHORIZED', message: 'Current password is incorrect', appCode: 'INVALID_CREDENTIALS' },
  });
  const { server, session } = renderAccount({
    'account.delete': (input) => reply(input),
    'auth.logout': () => ({ data: { ok: true } }),
  });
  fireEvent.click(await screen.findByRole('button', { name: 'Delete account…' }));
  const dialog = screen.getByRole('dialog');
  expect(dialog.textContent).toContain('Delete ada@example.com and all its data?');
  fireEvent.click(within(dialog).getByRole('button', { name: 'Delete my account' }));
  expect(descriptionOf(field(dialog, 'Your password'))).toBe('Enter your password to confirm.');
  expect(server.calls.some((c) => c.path === 'account.delete')).toBe(false);

  fireEvent.input(field(dialog, 'Your password'), { target: { value: 'not it' } });
  fireEvent.click(within(dialog).getByRole('button', { name: 'Delete my account' }));
  await waitFor(() => expect(descriptionOf(field(dialog, 'Your password'))).toBe('Current password is incorrect'));
  expect(session.status()).toBe('signed-in');

  reply = () => ({ data: { ok: true } });
  fireEvent.input(field(dialog, 'Your password'), { target: { value: 'the right one' } });
  fireEvent.click(within(dialog).getByRole('button', { name: 'Delete my account' }));
  await waitFor(() => expect(session.status()).toBe('signed-out'));
  expect(server.calls.filter((c) => c.path === 'account.delete').at(-1)?.input).toEqual({ password: 'the right one' });
  expect(session.notice()).toBeNull();
});

// Issue 17: a password change and "sign out on every device" revoke access tokens too; keeping
// them is an unchecked box. Fails on old main (no box, no keepAccessTokens sent).
test('"Keep my access tokens working" is unchecked; ticked, the password change keeps them', async () => {
  const { server } = renderAccount({ 'account.changePassword': () => ({ data: signedIn }) });
  const form = (await screen.findByRole('heading', { name: 'Change password' })).closest('form') as HTMLElement;
  const keep = within(form).getByLabelText<HTMLInputElement>(/Keep my access tokens working/);
  expect(keep.checked).toBe(false);
  fireEvent.click(keep);
  await fillPasswordForm({ current: 'old one', next: 'a new passphrase', confirm: 'a new passphrase' });
  expect((await within(form).findByRole('status')).textContent).toContain('Access tokens were kept.');
  expect(server.calls.find((c) => c.path === 'account.changePassword')?.input).toMatchObject({
    keepAccessTokens: true,
  });
});

test('"Sign out on every device" revokes access tokens unless the box next to it is ticked', async () => {
  const { server } = renderAccount({
    'auth.logoutAll': () => ({ data: { ok: true } }),
    'auth.logout': () => ({ data: { ok: true } }),
  });
  const card = (await screen.findByRole('button', { name: 'Sign out on every device' })).closest('div')!;
  expect(within(card).getByLabelText<HTMLInputElement>('Keep my access tokens working').checked).toBe(false);
  fireEvent.click(within(card).getByRole('button', { name: 'Sign out on every device' }));
  await waitFor(() => expect(server.calls.some((c) => c.path === 'auth.logoutAll')).toBe(true));
  expect(server.calls.find((c) => c.path === 'auth.logoutAll')?.input).toEqual({ keepAccessTokens: false });
});
