import { useNavigate } from '@solidjs/router';
import { Show, createSignal } from 'solid-js';
import { useClient } from '../client-context';
import { useSession } from '../auth/session';
import { createMutation } from '../ui/create-mutation';
import { TextField } from '../ui/text-field';

/**
 * Delete the account: a confirmation asking for the password, then everything goes — every
 * conversation, key and session — and the browser lands on the sign-in page.
 */
export function DeleteAccount(props: { account: string }) {
  const client = useClient();
  const session = useSession();
  const navigate = useNavigate();
  const [isConfirming, setConfirming] = createSignal(false);
  const [password, setPassword] = createSignal('');
  const [errors, setErrors] = createSignal<string[]>([]);
  // Stays pending after the deletion succeeds, through signing out, until the page changes.
  const deletion = createMutation(async (confirmation: string) => {
    await client.account.delete.mutate({ password: confirmation });
    // The SDK has forgotten the tokens and the server cleared the cookie; nothing is left to end.
    await session.logout().catch(() => session.expire());
    navigate('/login', { replace: true });
  });
  const isBusy = deletion.pending;

  const cancel = () => {
    setConfirming(false);
    setPassword('');
    setErrors([]);
  };

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    if (password() === '') return setErrors(['Enter your password to confirm.']);
    setErrors([]);
    const result = await deletion.run(password());
    if (!result.ok) setErrors(result.error.fieldErrors['password'] ?? [result.error.message]);
  };

  return (
    <div class="card danger-card" role="region" aria-labelledby="delete-heading">
      <h3 id="delete-heading">Delete account</h3>
      <p class="muted">
        Deletes your account and everything in it for good: every conversation and answer, your API keys and every
        session. Download your data first if you want to keep it.
      </p>
      <Show
        when={isConfirming()}
        fallback={
          <button type="button" class="button button-danger-ghost" onClick={() => setConfirming(true)}>
            Delete account…
          </button>
        }
      >
        <form
          class="confirm-panel"
          role="dialog"
          aria-labelledby="delete-confirm-heading"
          onSubmit={(event) => void submit(event)}
          noValidate
        >
          <p id="delete-confirm-heading">
            <strong>Delete {props.account} and all its data?</strong> This cannot be undone.
          </p>
          <TextField
            label="Your password"
            type="password"
            name="password"
            autocomplete="current-password"
            value={password()}
            onValue={setPassword}
            errors={errors()}
            autofocus
          />
          <div class="key-actions">
            <button type="submit" class="button button-danger" disabled={isBusy()}>
              {isBusy() ? 'Deleting…' : 'Delete my account'}
            </button>
            <button type="button" class="button" onClick={cancel} disabled={isBusy()}>
              Cancel
            </button>
          </div>
        </form>
      </Show>
    </div>
  );
}
