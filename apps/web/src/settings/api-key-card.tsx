import { Show, createSignal } from 'solid-js';
import { useClient } from '../client-context';
import { createMutation } from '../ui/create-mutation';
import { formatFullTime } from '../ui/relative-time';
import { TextField } from '../ui/text-field';
import { describeValidation, type Provider, type SavedKey } from './settings-types';

/**
 * One provider's key: save, replace or delete it. The key itself is never shown again after it
 * is sent — the server returns only its hint (the last characters) — and the input is cleared.
 */
export function ApiKeyCard(props: {
  provider: Provider;
  saved: SavedKey | undefined;
  /** The signed-in email, for password managers. */
  account: string;
  onChange: (saved: SavedKey | undefined) => void;
}) {
  const client = useClient();
  const [apiKey, setApiKey] = createSignal('');
  const [errors, setErrors] = createSignal<string[]>([]);
  const [result, setResult] = createSignal<string | null>(null);
  const saving = createMutation(async (key: string) => {
    const saved = await client.settings.saveApiKey.mutate({ provider: props.provider.id, apiKey: key });
    setApiKey('');
    props.onChange({
      provider: saved.provider,
      keyHint: saved.keyHint,
      createdAt: saved.createdAt,
      updatedAt: saved.updatedAt,
    });
    setResult(describeValidation(saved.validation, props.provider.label));
  });
  const removal = createMutation(async () => {
    await client.settings.deleteApiKey.mutate({ provider: props.provider.id });
    props.onChange(undefined);
    setResult('Key deleted.');
  });
  const isBusy = () => saving.pending() || removal.pending();
  const [isConfirmingDelete, setConfirmingDelete] = createSignal(false);

  const save = async (event: SubmitEvent) => {
    event.preventDefault();
    setResult(null);
    if (apiKey().trim() === '') return setErrors(['Paste your API key first.']);
    setErrors([]);
    const outcome = await saving.run(apiKey());
    if (!outcome.ok) setErrors(outcome.error.fieldErrors['apiKey'] ?? [outcome.error.message]);
  };

  const remove = async () => {
    setErrors([]);
    const outcome = await removal.run();
    setConfirmingDelete(false);
    if (!outcome.ok) setErrors([outcome.error.message]);
  };

  return (
    <section class="card key-card" aria-labelledby={`provider-${props.provider.id}`}>
      <header class="key-card-head">
        <h3 id={`provider-${props.provider.id}`}>{props.provider.label}</h3>
        <Show when={props.saved} fallback={<span class="badge">No key saved</span>}>
          {(saved) => (
            <span class="badge badge-ok" title={`Updated ${formatFullTime(saved().updatedAt)}`}>
              Key saved <code>{saved().keyHint}</code>
            </span>
          )}
        </Show>
      </header>
      <Show when={!props.saved && props.provider.hasServerKey}>
        <p class="muted">This server has its own {props.provider.label} key, used when you have none.</p>
      </Show>
      <form class="key-form" onSubmit={(event) => void save(event)} noValidate>
        {/* Password managers expect an account name next to a password field; this is it. */}
        <input type="text" name="username" autocomplete="username" value={props.account} readOnly hidden />
        <TextField
          label={props.saved ? 'Replace the key' : `${props.provider.label} API key`}
          type="password"
          autocomplete="off"
          spellcheck={false}
          value={apiKey()}
          onValue={setApiKey}
          errors={errors()}
          placeholder={props.provider.id === 'openrouter' ? 'sk-or-v1-…' : 'API key'}
          disabled={isBusy()}
        />
        <div class="key-actions">
          <button type="submit" class="button button-primary" disabled={isBusy()}>
            {isBusy() ? 'Checking…' : props.saved ? 'Replace key' : 'Save key'}
          </button>
          <Show when={props.saved && !isConfirmingDelete()}>
            <button
              type="button"
              class="button button-danger-ghost"
              disabled={isBusy()}
              onClick={() => setConfirmingDelete(true)}
            >
              Delete key
            </button>
          </Show>
        </div>
      </form>
      <Show when={isConfirmingDelete()}>
        <div class="confirm-row" role="group" aria-label="Confirm key deletion">
          <p>Delete your {props.provider.label} key? Runs will fail until you add one again.</p>
          <button
            type="button"
            class="button button-small button-danger"
            ref={(el) => queueMicrotask(() => el.focus())}
            onClick={() => void remove()}
          >
            Delete
          </button>
          <button type="button" class="button button-small" onClick={() => setConfirmingDelete(false)}>
            Cancel
          </button>
        </div>
      </Show>
      <Show when={result()}>
        <p class="notice notice-success" role="status">
          {result()}
        </p>
      </Show>
    </section>
  );
}
