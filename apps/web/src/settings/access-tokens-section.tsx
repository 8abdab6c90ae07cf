import { accessTokenScopes, type AccessTokenScope, type RouterOutputs } from '@llm-council/sdk';
import { For, Show, createResource, createSignal } from 'solid-js';
import { useClient } from '../client-context';
import { describeError } from '../ui/describe-error';
import { createMutation } from '../ui/create-mutation';
import { ErrorNotice } from '../ui/error-notice';
import { formatFullTime, formatRelativeTime } from '../ui/relative-time';
import { TextField } from '../ui/text-field';
import { NewTokenNotice } from './new-token-notice';

type AccessToken = RouterOutputs['tokens']['list'][number];

const scopeLabels: Record<AccessTokenScope, string> = {
  read: 'read — list, open, search and export conversations',
  council: 'council — ask the council, follow and cancel runs',
};
const expiryChoices = [
  { days: 30, label: '30 days' },
  { days: 90, label: '90 days' },
  { days: 365, label: '1 year' },
  { days: null, label: 'Never' },
] as const;

/** Settings → Access tokens: create one (shown once), see the list with last use, revoke. */
export function AccessTokensSection() {
  const client = useClient();
  const [tokens, { refetch }] = createResource(() => client.tokens.list.query());
  // Reading an errored resource throws; the error is shown on its own below.
  const listed = () => (tokens.error ? undefined : tokens());
  const [name, setName] = createSignal('');
  // What the CLI asks for and what tokens are for: reading and asking the council.
  const [scopes, setScopes] = createSignal<AccessTokenScope[]>(['read', 'council']);
  const [password, setPassword] = createSignal('');
  const [expiryDays, setExpiryDays] = createSignal<number | null>(90);
  const [errors, setErrors] = createSignal<Record<string, string[]>>({});
  const creation = createMutation(async (input: Parameters<typeof client.tokens.create.mutate>[0]) => {
    const result = await client.tokens.create.mutate(input);
    setCreated({ name: result.name, token: result.token });
    setName('');
    setPassword('');
    await refetch();
  });
  const isBusy = creation.pending;
  const [created, setCreated] = createSignal<{ name: string; token: string } | null>(null);

  const toggleScope = (scope: AccessTokenScope, isOn: boolean) =>
    setScopes((current) => (isOn ? [...new Set([...current, scope])] : current.filter((s) => s !== scope)));

  const create = async (event: SubmitEvent) => {
    event.preventDefault();
    if (name().trim() === '') return setErrors({ name: ['Name the token, e.g. “laptop CLI”.'] });
    if (scopes().length === 0) return setErrors({ scopes: ['Choose at least one scope.'] });
    if (password() === '') return setErrors({ password: ['Enter your password to create a token.'] });
    setErrors({});
    const result = await creation.run({
      name: name().trim(),
      scopes: scopes(),
      expiresInDays: expiryDays(),
      password: password(),
    });
    if (result.ok) return;
    const ui = result.error;
    const isPasswordProblem = ui.code === 'INVALID_CREDENTIALS' || ui.fieldErrors['password'];
    setErrors(
      isPasswordProblem
        ? { password: ui.fieldErrors['password'] ?? [ui.message] }
        : { name: ui.fieldErrors['name'] ?? [ui.message] },
    );
  };

  const [revokedMessage, setRevokedMessage] = createSignal<string | null>(null);
  const revocation = createMutation(async (token: AccessToken) => {
    await client.tokens.revoke.mutate({ id: token.id });
    setRevokedMessage(`“${token.name}” revoked. Programs using it are refused from now on.`);
    await refetch();
  });
  const revokeMessage = () => revocation.error()?.message ?? revokedMessage();
  const revoke = (token: AccessToken) => {
    setRevokedMessage(null);
    void revocation.run(token);
  };

  return (
    <section class="settings-section" aria-labelledby="tokens-heading">
      <h2 id="tokens-heading">Access tokens</h2>
      <p class="muted">
        For scripts and the <code>llm-council</code> command. A token acts as you within its scopes, but can never
        change your password, keys or tokens.
      </p>
      <form class="card token-form" aria-label="New access token" onSubmit={(event) => void create(event)} noValidate>
        <TextField label="Token name" value={name()} onValue={setName} errors={errors()['name']} disabled={isBusy()} />
        <fieldset class="token-scopes">
          <legend>Scopes</legend>
          <For each={accessTokenScopes}>
            {(scope) => (
              <label class="checkbox">
                <input
                  type="checkbox"
                  checked={scopes().includes(scope)}
                  onChange={(event) => toggleScope(scope, event.currentTarget.checked)}
                />{' '}
                {scopeLabels[scope]}
              </label>
            )}
          </For>
          <Show when={errors()['scopes']}>{(messages) => <p class="field-error">{messages().join(' ')}</p>}</Show>
        </fieldset>
        <div class="field">
          <label for="token-expiry">Expires</label>
          <select
            id="token-expiry"
            onChange={(event) =>
              setExpiryDays(event.currentTarget.value === '' ? null : Number(event.currentTarget.value))
            }
          >
            <For each={expiryChoices}>
              {(choice) => (
                <option value={choice.days ?? ''} selected={choice.days === expiryDays()}>
                  {choice.label}
                </option>
              )}
            </For>
          </select>
          <Show when={expiryDays() === null}>
            <p class="field-warning" role="note">
              A token that never expires works until you revoke it, even if it leaks. Prefer an expiry.
            </p>
          </Show>
        </div>
        <TextField
          label="Your password"
          type="password"
          name="password"
          autocomplete="current-password"
          value={password()}
          onValue={setPassword}
          errors={errors()['password']}
          disabled={isBusy()}
          hint="Creating a token needs your password, so a borrowed session cannot make one."
        />
        <button type="submit" class="button button-primary" disabled={isBusy()}>
          {isBusy() ? 'Creating…' : 'Create token'}
        </button>
      </form>
      <Show when={created()}>
        {(shown) => <NewTokenNotice name={shown().name} token={shown().token} onDone={() => setCreated(null)} />}
      </Show>
      <Show when={tokens.error as unknown}>{(error) => <ErrorNotice message={describeError(error()).message} />}</Show>
      <Show when={listed()?.length === 0}>
        <p class="muted">No access tokens yet.</p>
      </Show>
      <ul class="token-list" aria-label="Your access tokens">
        <For each={listed()}>{(token) => <TokenRow token={token} onRevoke={() => revoke(token)} />}</For>
      </ul>
      <Show when={revokeMessage()}>
        {(message) => (
          <p class="notice" role="status">
            {message()}
          </p>
        )}
      </Show>
    </section>
  );
}

function TokenRow(props: { token: AccessToken; onRevoke: () => void }) {
  const [isConfirming, setConfirming] = createSignal(false);
  const isExpired = () => props.token.expiresAt !== null && Date.parse(props.token.expiresAt) <= Date.now();
  return (
    <li class="card token-row" aria-label={props.token.name}>
      <div class="token-row-head">
        <strong>{props.token.name}</strong> <code>{props.token.prefix}…</code>
        <span class="badge">{props.token.scopes.join(' + ')}</span>
        <Show when={isExpired()}>
          <span class="badge">expired</span>
        </Show>
      </div>
      <p class="muted token-meta">
        Last used{' '}
        <span title={props.token.lastUsedAt ? formatFullTime(props.token.lastUsedAt) : undefined}>
          {props.token.lastUsedAt ? formatRelativeTime(props.token.lastUsedAt, Date.now()) : 'never'}
        </span>
        {' · '}created {formatFullTime(props.token.createdAt)}
        {' · '}
        {props.token.expiresAt ? `expires ${formatFullTime(props.token.expiresAt)}` : 'never expires'}
      </p>
      <Show
        when={isConfirming()}
        fallback={
          <button type="button" class="button button-small button-danger-ghost" onClick={() => setConfirming(true)}>
            Revoke
          </button>
        }
      >
        <div class="confirm-row" role="group" aria-label={`Confirm revoking ${props.token.name}`}>
          <p>Revoke “{props.token.name}”? Programs using it stop working at once.</p>
          <button type="button" class="button button-small button-danger" onClick={() => props.onRevoke()}>
            Revoke
          </button>
          <button type="button" class="button button-small" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      </Show>
    </li>
  );
}
