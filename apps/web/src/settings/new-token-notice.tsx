import { Show, createSignal } from 'solid-js';

/**
 * The one moment a new token is visible: the server keeps only its hash, so closing this loses it
 * for good. The copy button uses the Clipboard API; the field is selectable as a fallback.
 */
export function NewTokenNotice(props: { name: string; token: string; onDone: () => void }) {
  const [copyState, setCopyState] = createSignal<'idle' | 'copied' | 'failed'>('idle');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.token);
      setCopyState('copied');
    } catch {
      // No clipboard permission (or an insecure origin): the user can still select the field.
      setCopyState('failed');
    }
  };
  return (
    <div class="card token-created" role="region" aria-label="New access token">
      <p>
        <strong>“{props.name}” created.</strong> Copy it now — it will not be shown again.
      </p>
      <div class="token-copy">
        <input
          class="token-value"
          aria-label="Your new access token"
          readOnly
          value={props.token}
          onFocus={(event) => event.currentTarget.select()}
        />
        <button type="button" class="button button-small" onClick={() => void copy()}>
          {copyState() === 'copied' ? 'Copied' : 'Copy'}
        </button>
        <button type="button" class="button button-small" onClick={() => props.onDone()}>
          Done
        </button>
      </div>
      <Show when={copyState() === 'failed'}>
        <p class="field-error">Copying was not allowed here; select the token and copy it by hand.</p>
      </Show>
    </div>
  );
}
