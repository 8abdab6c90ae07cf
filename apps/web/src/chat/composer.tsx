import { MESSAGE_MAX_LENGTH, type Attachment } from '@llm-council/sdk';
import { Show, createEffect, createSignal, createUniqueId, on, onMount } from 'solid-js';
import { SendIcon, StopIcon } from '../ui/icons';
import { readDraft, saveDraft } from './drafts';
import { PendingChips, createPendingFiles } from './attachments';

/**
 * The question box, present on every conversation. Enter sends, Shift+Enter adds a line (and
 * Enter while an input method is composing does neither). While a run is live the box is
 * disabled and the button becomes Stop.
 */
export function Composer(props: {
  /** The question and the files attached to it (uploaded already). */
  onSend: (content: string, attachments: Attachment[]) => Promise<boolean>;
  /** Uploads a picked file (`client.uploadAttachment`); without it there is no attach button. */
  onUpload?: (file: File) => Promise<Attachment>;
  /** The council's models that cannot see images: asking with an image attached warns first. */
  imageBlindModels?: readonly string[];
  onStop?: (() => void) | undefined;
  isRunLive: boolean;
  isStopping?: boolean;
  placeholder?: string;
  autofocus?: boolean;
  extraDisabled?: boolean;
  /** Keeps unsent text under this key while the user is elsewhere in the app. */
  draftKey?: string;
}) {
  const id = createUniqueId();
  const [text, setTextSignal] = createSignal(props.draftKey ? readDraft(props.draftKey) : '');
  const setText = (value: string) => {
    setTextSignal(value);
    if (props.draftKey) saveDraft(props.draftKey, value);
  };
  const [isSending, setSending] = createSignal(false);
  let textarea: HTMLTextAreaElement | undefined;
  let filePicker: HTMLInputElement | undefined;
  const pending = createPendingFiles((file) =>
    props.onUpload ? props.onUpload(file) : Promise.reject(new Error('Attachments are not available here')),
  );
  const blindToImages = () => (pending.hasImage() ? (props.imageBlindModels ?? []) : []);

  const isDisabled = () => props.isRunLive || isSending() || props.extraDisabled === true;
  // The server refuses longer messages; saying so here beats a round trip.
  const isTooLong = () => text().length > MESSAGE_MAX_LENGTH;
  const canSend = () => !isDisabled() && text().trim() !== '' && !isTooLong() && !pending.isUploading();

  // Grow with the text up to a cap (CSS max-height), so long questions stay readable.
  const resize = () => {
    if (!textarea) return;
    textarea.style.height = 'auto';
    textarea.style.height = `${textarea.scrollHeight}px`;
  };
  createEffect(on(text, resize));
  // The `autofocus` attribute only works on a full page load, not after client-side navigation.
  onMount(() => props.autofocus && textarea?.focus());
  // Back from a run: put the cursor back where the user will type next.
  createEffect(
    on(isDisabled, (disabled, wasDisabled) => wasDisabled && !disabled && textarea?.focus(), { defer: true }),
  );

  const send = async () => {
    if (!canSend()) return;
    setSending(true);
    try {
      if (await props.onSend(text().trim(), pending.ready())) {
        setText('');
        pending.clear();
      }
    } finally {
      setSending(false);
    }
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    void send();
  };

  return (
    <form
      class="composer"
      classList={{ 'composer-with-files': props.onUpload !== undefined }}
      onSubmit={(event) => {
        event.preventDefault();
        void send();
      }}
    >
      <PendingChips pending={pending} />
      <Show when={blindToImages().length > 0}>
        <p class="attachment-warning" role="status">
          {blindToImages().join(', ')} cannot see images: {blindToImages().length === 1 ? 'it' : 'they'} will only be
          told an image was attached.
        </p>
      </Show>
      <label class="sr-only" for={id}>
        Message the council
      </label>
      <Show when={props.onUpload}>
        <input
          ref={filePicker}
          type="file"
          multiple
          class="sr-only"
          tabIndex={-1}
          aria-hidden="true"
          onChange={(event) => {
            pending.add([...(event.currentTarget.files ?? [])]);
            event.currentTarget.value = '';
          }}
        />
        <button
          type="button"
          class="composer-button composer-attach"
          aria-label="Attach files"
          title="Attach files (text, code, PDF, images)"
          disabled={isDisabled()}
          onClick={() => filePicker?.click()}
        >
          +
        </button>
      </Show>
      <textarea
        id={id}
        ref={textarea}
        rows={1}
        value={text()}
        disabled={isDisabled()}
        placeholder={props.isRunLive ? 'The council is answering…' : (props.placeholder ?? 'Ask a follow-up question…')}
        aria-describedby={`${id}-hint`}
        aria-invalid={isTooLong()}
        onInput={(event) => setText(event.currentTarget.value)}
        onKeyDown={onKeyDown}
      />
      <Show
        when={props.isRunLive && props.onStop}
        fallback={
          <button type="submit" class="composer-button" disabled={!canSend()} aria-label="Send">
            <Show when={isSending()} fallback={<SendIcon />}>
              <span class="spinner spinner-small" aria-hidden="true" />
            </Show>
          </button>
        }
      >
        <button
          type="button"
          class="composer-button composer-stop"
          disabled={props.isStopping}
          onClick={() => props.onStop?.()}
          aria-label={props.isStopping ? 'Stopping' : 'Stop the council'}
        >
          <StopIcon />
        </button>
      </Show>
      <p class="composer-hint" id={`${id}-hint`}>
        <Show when={isTooLong()} fallback={<>Enter to send · Shift+Enter for a new line</>}>
          <span class="field-error">
            {text().length.toLocaleString()} / {MESSAGE_MAX_LENGTH.toLocaleString()} characters — please shorten it.
          </span>
        </Show>
      </p>
    </form>
  );
}
