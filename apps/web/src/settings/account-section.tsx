import { Show, createSignal } from 'solid-js';
import { useClient } from '../client-context';
import { useSession } from '../auth/session';
import { describeError } from '../ui/describe-error';
import { ErrorNotice } from '../ui/error-notice';
import { ChangePasswordForm } from './change-password-form';
import { DeleteAccount } from './delete-account';
import { SessionsList } from './sessions-list';
import './account.css';

/** Settings → Account: the password, the devices signed in, and deleting the account. */
export function AccountSection() {
  const client = useClient();
  const session = useSession();
  const account = () => session.user()?.email ?? '';
  // Bumped after a password change, which signs the other devices out: the list reloads.
  const [sessionsVersion, setSessionsVersion] = createSignal(1);
  const [message, setMessage] = createSignal<string | null>(null);
  // Unchecked by default: signing out everywhere after a theft should end the tokens too.
  const [keepAccessTokens, setKeepAccessTokens] = createSignal(false);

  const logoutEverywhere = async () => {
    setMessage(null);
    try {
      await client.auth.logoutAll.mutate({ keepAccessTokens: keepAccessTokens() });
      await session.logout().catch(() => session.expire());
    } catch (error) {
      setMessage(describeError(error).message);
    }
  };

  return (
    <section class="settings-section account-section" aria-labelledby="account-heading">
      <h2 id="account-heading">Account</h2>
      <div class="card account-card">
        <p>
          Signed in as <strong>{account()}</strong>
        </p>
        <label class="checkbox">
          <input
            type="checkbox"
            name="keepAccessTokensOnSignOut"
            checked={keepAccessTokens()}
            onChange={(event) => setKeepAccessTokens(event.currentTarget.checked)}
          />{' '}
          Keep my access tokens working
        </label>
        <button type="button" class="button" onClick={() => void logoutEverywhere()}>
          Sign out on every device
        </button>
        <Show when={message()}>{(text) => <ErrorNotice message={text()} />}</Show>
      </div>
      <ChangePasswordForm account={account()} onChanged={() => setSessionsVersion((v) => v + 1)} />
      <SessionsList version={sessionsVersion()} />
      <DeleteAccount account={account()} />
    </section>
  );
}
