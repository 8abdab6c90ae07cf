import { Show, createSignal } from 'solid-js';
import { useClient } from '../client-context';
import { createMutation } from '../ui/create-mutation';
import { TextField } from '../ui/text-field';

type Fields = 'currentPassword' | 'newPassword' | 'confirm';

/**
 * Change the password. The new one follows registration's rules, checked by the server (length,
 * common passwords) and shown next to the field; only the confirmation is checked here. On
 * success every other device is signed out and this one stays: the SDK stores the new tokens
 * the server returns.
 */
export function ChangePasswordForm(props: { account: string; onChanged: () => void }) {
  const client = useClient();
  const [current, setCurrent] = createSignal('');
  const [next, setNext] = createSignal('');
  const [confirm, setConfirm] = createSignal('');
  const [errors, setErrors] = createSignal<Partial<Record<Fields, string[]>>>({});
  const [formError, setFormError] = createSignal<string | null>(null);
  const [done, setDone] = createSignal<string | null>(null);
  // Unchecked by default: whoever stole the old password may have minted tokens with it.
  const [keepAccessTokens, setKeepAccessTokens] = createSignal(false);
  const change = createMutation(async () => {
    await client.account.changePassword.mutate({
      currentPassword: current(),
      newPassword: next(),
      keepAccessTokens: keepAccessTokens(),
    });
    setCurrent('');
    setNext('');
    setConfirm('');
    setDone(
      keepAccessTokens()
        ? 'Password changed. Your other devices have been signed out; this one stays signed in. Access tokens were kept.'
        : 'Password changed. Your other devices and access tokens have been signed out; this one stays signed in.',
    );
    setKeepAccessTokens(false);
    props.onChanged();
  });
  const isBusy = change.pending;

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setFormError(null);
    setDone(null);
    const local: Partial<Record<Fields, string[]>> = {};
    if (current() === '') local.currentPassword = ['Enter your current password.'];
    if (next() === '') local.newPassword = ['Enter a new password.'];
    else if (confirm() !== next()) local.confirm = ['The passwords do not match.'];
    setErrors(local);
    if (Object.keys(local).length > 0) return;

    const result = await change.run();
    if (result.ok) return;
    const ui = result.error;
    const fields: Partial<Record<Fields, string[]>> = {};
    if (ui.fieldErrors['currentPassword']) fields.currentPassword = ui.fieldErrors['currentPassword'];
    if (ui.fieldErrors['newPassword']) fields.newPassword = ui.fieldErrors['newPassword'];
    if (ui.code === 'INVALID_CREDENTIALS') fields.currentPassword = [ui.message];
    if (ui.code === 'WEAK_PASSWORD') fields.newPassword = [ui.message];
    setErrors(fields);
    if (Object.keys(fields).length === 0) setFormError(ui.message);
  };

  return (
    <form
      class="card account-form"
      onSubmit={(event) => void submit(event)}
      noValidate
      aria-labelledby="password-heading"
    >
      <h3 id="password-heading">Change password</h3>
      {/* For password managers: which account this password belongs to. */}
      <input type="text" name="username" autocomplete="username" value={props.account} hidden readOnly />
      <TextField
        label="Current password"
        type="password"
        name="currentPassword"
        autocomplete="current-password"
        value={current()}
        onValue={setCurrent}
        errors={errors().currentPassword}
      />
      <TextField
        label="New password"
        type="password"
        name="newPassword"
        autocomplete="new-password"
        value={next()}
        onValue={setNext}
        errors={errors().newPassword}
        hint="At least 8 characters. A few words make a strong password."
      />
      <TextField
        label="Confirm new password"
        type="password"
        name="confirm"
        autocomplete="new-password"
        value={confirm()}
        onValue={setConfirm}
        errors={errors().confirm}
      />
      <label class="checkbox">
        <input
          type="checkbox"
          name="keepAccessTokens"
          checked={keepAccessTokens()}
          onChange={(event) => setKeepAccessTokens(event.currentTarget.checked)}
        />{' '}
        Keep my access tokens working (otherwise they are revoked with the other sessions)
      </label>
      <Show when={formError()}>
        {(message) => (
          <div class="notice notice-error" role="alert">
            {message()}
          </div>
        )}
      </Show>
      <Show when={done()}>
        {(message) => (
          <div class="notice notice-success" role="status">
            {message()}
          </div>
        )}
      </Show>
      <button type="submit" class="button button-primary" disabled={isBusy()}>
        {isBusy() ? 'Changing…' : 'Change password'}
      </button>
    </form>
  );
}
