import { fireEvent, screen, waitFor } from '@solidjs/testing-library';
import { expect, test, vi } from 'vitest';
import { clientFor, fakeTrpcServer } from '../testing/fake-trpc-fetch';
import { descriptionOf, renderWithClient } from '../testing/render';
import { LoginForm } from './login-form';

const user = { id: 'u1', email: 'ada@example.com', createdAt: '2025-11-26T00:00:00.000Z' };
const signedIn = { user, accessToken: 'token', accessTokenExpiresAt: '2099-01-01T00:00:00.000Z', refreshToken: null };

const fill = (label: RegExp, value: string) => fireEvent.input(screen.getByLabelText(label), { target: { value } });

test('server field errors appear next to their fields and are announced with them', async () => {
  const server = fakeTrpcServer({
    'auth.register': () => ({
      error: {
        code: 'BAD_REQUEST',
        message: 'email: Enter a valid email address. password: Password must be at least 8 characters',
        appCode: 'VALIDATION_FAILED',
        fieldErrors: { email: ['Enter a valid email address'], password: ['Password must be at least 8 characters'] },
      },
    }),
  });
  renderWithClient(() => <LoginForm onSignedIn={() => undefined} initialMode="register" />, clientFor(server));
  fill(/^email$/i, 'ada@');
  fill(/^password$/i, 'short');
  fill(/confirm password/i, 'short');
  fireEvent.click(screen.getByRole('button', { name: 'Create account' }));

  const email = screen.getByLabelText(/^email$/i);
  await waitFor(() => expect(descriptionOf(email)).toBe('Enter a valid email address'));
  expect(email.getAttribute('aria-invalid')).toBe('true');
  expect(descriptionOf(screen.getByLabelText(/^password$/i))).toContain('Password must be at least 8 characters');
  expect(server.calls.filter((c) => c.path !== 'auth.registrationMode')).toEqual([
    { path: 'auth.register', input: { email: 'ada@', password: 'short', transport: 'cookie' } },
  ]);
});

test('a taken email and a common password are shown on their fields', async () => {
  const server = fakeTrpcServer({
    'auth.register': (input) =>
      (input as { email: string }).email === 'taken@example.com'
        ? { error: { code: 'CONFLICT', message: 'An account with this email already exists', appCode: 'EMAIL_TAKEN' } }
        : { error: { code: 'BAD_REQUEST', message: 'This password is too common', appCode: 'WEAK_PASSWORD' } },
  });
  renderWithClient(() => <LoginForm onSignedIn={() => undefined} initialMode="register" />, clientFor(server));
  fill(/^email$/i, 'taken@example.com');
  fill(/^password$/i, 'password123');
  fill(/confirm password/i, 'password123');
  fireEvent.click(screen.getByRole('button', { name: 'Create account' }));
  await waitFor(() =>
    expect(descriptionOf(screen.getByLabelText(/^email$/i))).toBe('An account with this email already exists'),
  );

  fill(/^email$/i, 'new@example.com');
  fireEvent.click(screen.getByRole('button', { name: 'Create account' }));
  await waitFor(() =>
    expect(descriptionOf(screen.getByLabelText(/^password$/i))).toContain('This password is too common'),
  );
  expect(descriptionOf(screen.getByLabelText(/^email$/i))).toBe('');
});

test('a mismatched confirmation is caught before anything is sent', () => {
  const server = fakeTrpcServer({});
  renderWithClient(() => <LoginForm onSignedIn={() => undefined} initialMode="register" />, clientFor(server));
  fill(/^email$/i, 'ada@example.com');
  fill(/^password$/i, 'correct horse battery');
  fill(/confirm password/i, 'correct horse battery staple');
  fireEvent.click(screen.getByRole('button', { name: 'Create account' }));

  expect(descriptionOf(screen.getByLabelText(/confirm password/i))).toBe('The passwords do not match.');
  expect(server.calls).toEqual([]);
});

test('wrong credentials show one message for the whole form', async () => {
  const server = fakeTrpcServer({
    'auth.login': () => ({
      error: { code: 'UNAUTHORIZED', message: 'Email or password is incorrect', appCode: 'INVALID_CREDENTIALS' },
    }),
  });
  renderWithClient(() => <LoginForm onSignedIn={() => undefined} />, clientFor(server));
  fill(/^email$/i, 'ada@example.com');
  fill(/^password$/i, 'not it at all');
  fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));

  expect((await screen.findByRole('alert')).textContent).toBe('Email or password is incorrect');
});

test('rate limiting says how long to wait and holds the button until then', async () => {
  const server = fakeTrpcServer({
    'auth.login': () => ({
      error: {
        code: 'TOO_MANY_REQUESTS',
        message: 'Too many attempts',
        appCode: 'RATE_LIMITED',
        retryAfterSeconds: 42,
      },
    }),
  });
  renderWithClient(() => <LoginForm onSignedIn={() => undefined} />, clientFor(server));
  fill(/^email$/i, 'ada@example.com');
  fill(/^password$/i, 'whatever it is');
  fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));

  expect((await screen.findByRole('alert')).textContent).toBe('Too many attempts. Try again in 42 seconds.');
  expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Sign in' }).disabled).toBe(true);
});

test('a successful sign-in hands the user to the caller', async () => {
  const server = fakeTrpcServer({ 'auth.login': () => ({ data: signedIn }) });
  const onSignedIn = vi.fn();
  renderWithClient(() => <LoginForm onSignedIn={onSignedIn} />, clientFor(server));
  fill(/^email$/i, 'ada@example.com');
  fill(/^password$/i, 'correct horse battery staple');
  fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));

  await waitFor(() => expect(onSignedIn).toHaveBeenCalledWith({ id: 'u1', email: 'ada@example.com' }));
});

test('on an invite-only server the register form asks for the invite code and sends it (case 58)', async () => {
  const server = fakeTrpcServer({
    'auth.registrationMode': () => ({ data: { mode: 'invite' } }),
    'auth.register': () => ({ data: signedIn }),
  });
  const onSignedIn = vi.fn();
  renderWithClient(() => <LoginForm onSignedIn={onSignedIn} initialMode="register" />, clientFor(server));
  const invite = await screen.findByLabelText(/invite code/i);
  fill(/^email$/i, 'ada@example.com');
  fill(/^password$/i, 'correct horse battery staple');
  fill(/confirm password/i, 'correct horse battery staple');
  fireEvent.input(invite, { target: { value: ' the-code ' } });
  fireEvent.click(screen.getByRole('button', { name: 'Create account' }));
  await waitFor(() => expect(onSignedIn).toHaveBeenCalled());
  expect(server.calls.find((c) => c.path === 'auth.register')?.input).toMatchObject({ inviteCode: 'the-code' });
});

test('on a closed server the register form says so and cannot be sent; an open one shows no invite field', async () => {
  const closed = fakeTrpcServer({ 'auth.registrationMode': () => ({ data: { mode: 'closed' } }) });
  const { unmount } = renderWithClient(
    () => <LoginForm onSignedIn={() => undefined} initialMode="register" />,
    clientFor(closed),
  );
  expect(await screen.findByText(/sign-up is closed on this server/i)).toBeTruthy();
  expect(screen.getByRole('button', { name: 'Create account' }).hasAttribute('disabled')).toBe(true);
  unmount();

  const open = fakeTrpcServer({ 'auth.registrationMode': () => ({ data: { mode: 'open' } }) });
  renderWithClient(() => <LoginForm onSignedIn={() => undefined} initialMode="register" />, clientFor(open));
  await waitFor(() => expect(open.calls.map((c) => c.path)).toContain('auth.registrationMode'));
  expect(screen.queryByLabelText(/invite code/i)).toBeNull();
});
