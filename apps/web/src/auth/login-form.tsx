import { Show, createResource, createSignal, onCleanup } from 'solid-js';
import { useClient } from '../client-context';
import { createMutation } from '../ui/create-mutation';
import { rateLimitMessage } from '../ui/describe-error';
import { TextField } from '../ui/text-field';
import type { SessionUser } from './session';

type Mode = 'login' | 'register';
type Fields = 'email' | 'password' | 'confirm' | 'inviteCode';

/**
 * Sign in or create an account. Field errors come from the server (zod issues, EMAIL_TAKEN,
 * WEAK_PASSWORD) and appear next to their field; only the password confirmation is checked here,
 * because only the browser sees it.
 */
export function LoginForm(props: { onSignedIn: (user: SessionUser) => void; initialMode?: Mode }) {
  const client = useClient();
  const [mode, setMode] = createSignal<Mode>(props.initialMode ?? 'login');
  const [email, setEmail] = createSignal('');
  const [password, setPassword] = createSignal('');
  const [confirm, setConfirm] = createSignal('');
  const [inviteCode, setInviteCode] = createSignal(readInviteFromUrl());
  // Asked only when the register form shows: whether this server wants an invite or is closed.
  // If the question fails, the form stays as it is and the server's answer to the sign-up decides.
  const [registration] = createResource(
    () => mode() === 'register',
    () => client.auth.registrationMode.query().catch(() => ({ mode: 'open' as const })),
  );
  const needsInvite = () => registration()?.mode === 'invite';
  const isClosed = () => registration()?.mode === 'closed';
  const signIn = createMutation(async (input: { email: string; password: string }) => {
    const code = inviteCode().trim();
    const result = isRegister()
      ? await client.auth.register.mutate(needsInvite() && code ? { ...input, inviteCode: code } : input)
      : await client.auth.login.mutate(input);
    props.onSignedIn({ id: result.user.id, email: result.user.email });
  });
  const isBusy = signIn.pending;
  const [errors, setErrors] = createSignal<Partial<Record<Fields, string[]>>>({});
  const [formError, setFormError] = createSignal<string | null>(null);
  const [waitSeconds, setWaitSeconds] = createSignal(0);

  let countdown: ReturnType<typeof setInterval> | undefined;
  onCleanup(() => clearInterval(countdown));
  const startCountdown = (seconds: number) => {
    clearInterval(countdown);
    setWaitSeconds(Math.ceil(seconds));
    countdown = setInterval(() => {
      const left = waitSeconds() - 1;
      setWaitSeconds(Math.max(0, left));
      setFormError(left > 0 ? rateLimitMessage(left) : null);
      if (left <= 0) clearInterval(countdown);
    }, 1000);
  };

  const isRegister = () => mode() === 'register';
  const switchMode = () => {
    setMode(isRegister() ? 'login' : 'register');
    setErrors({});
    setFormError(null);
  };

  const onSubmit = async (event: SubmitEvent) => {
    event.preventDefault();
    setFormError(null);
    const local: Partial<Record<Fields, string[]>> = {};
    if (email().trim() === '') local.email = ['Enter your email address.'];
    if (password() === '') local.password = ['Enter your password.'];
    if (isRegister() && confirm() !== password()) local.confirm = ['The passwords do not match.'];
    setErrors(local);
    if (Object.keys(local).length > 0) return;

    const result = await signIn.run({ email: email(), password: password() });
    if (result.ok) return;
    const ui = result.error;
    const fields: Partial<Record<Fields, string[]>> = {};
    if (ui.fieldErrors['email']) fields.email = ui.fieldErrors['email'];
    if (ui.fieldErrors['password']) fields.password = ui.fieldErrors['password'];
    if (ui.code === 'EMAIL_TAKEN') fields.email = [ui.message];
    if (ui.code === 'WEAK_PASSWORD') fields.password = [ui.message];
    if (ui.code === 'INVITE_INVALID' && needsInvite()) fields.inviteCode = [ui.message];
    setErrors(fields);
    if (Object.keys(fields).length === 0) setFormError(ui.message);
    if (ui.retryAfterSeconds !== null) startCountdown(ui.retryAfterSeconds);
  };

  return (
    <form class="auth-form" onSubmit={(event) => void onSubmit(event)} noValidate aria-busy={isBusy()}>
      <h1>{isRegister() ? 'Create your account' : 'Sign in'}</h1>
      <p class="auth-lede">
        {isRegister()
          ? 'Ask several models at once; they review each other and a chairman writes the answer.'
          : 'Welcome back to the council.'}
      </p>
      <Show when={formError()}>
        <div class="notice notice-error" role="alert">
          {formError()}
        </div>
      </Show>
      <TextField
        label="Email"
        type="email"
        name="email"
        autocomplete="email"
        value={email()}
        onValue={setEmail}
        errors={errors().email}
      />
      <TextField
        label="Password"
        type="password"
        name="password"
        autocomplete={isRegister() ? 'new-password' : 'current-password'}
        value={password()}
        onValue={setPassword}
        errors={errors().password}
        hint={isRegister() ? 'At least 8 characters. A few words make a strong password.' : undefined}
      />
      <Show when={isRegister()}>
        <TextField
          label="Confirm password"
          type="password"
          name="confirm"
          autocomplete="new-password"
          value={confirm()}
          onValue={setConfirm}
          errors={errors().confirm}
        />
      </Show>
      <Show when={isRegister() && needsInvite()}>
        <TextField
          label="Invite code"
          name="inviteCode"
          autocomplete="off"
          value={inviteCode()}
          onValue={setInviteCode}
          errors={errors().inviteCode}
          hint="Sign-up on this server is by invitation: paste the code you were given."
        />
      </Show>
      <Show when={isRegister() && isClosed()}>
        <div class="notice notice-info" role="status">
          Sign-up is closed on this server. Ask its operator for an account.
        </div>
      </Show>
      <button
        class="button button-primary button-block"
        type="submit"
        disabled={isBusy() || waitSeconds() > 0 || (isRegister() && isClosed())}
      >
        {isBusy() ? 'Please wait…' : isRegister() ? 'Create account' : 'Sign in'}
      </button>
      <p class="auth-switch">
        {isRegister() ? 'Already have an account?' : 'New here?'}{' '}
        <button type="button" class="link-button" onClick={switchMode}>
          {isRegister() ? 'Sign in' : 'Create an account'}
        </button>
      </p>
    </form>
  );
}

/** An invite link (`/login?invite=CODE`) fills the field in. */
function readInviteFromUrl(): string {
  return typeof window === 'undefined' ? '' : (new URLSearchParams(window.location.search).get('invite') ?? '');
}
