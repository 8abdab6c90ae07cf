import { AttachmentError, type Attachment } from '@llm-council/sdk';
import { For, Show, createResource, createSignal, onCleanup } from 'solid-js';
import { useClient } from '../client-context';

/** A file on its way to a question: uploading, uploaded (`attachment`), or refused (`error`, the server's words). */
export interface PendingFile {
  key: string;
  name: string;
  /** A local preview of an image (an object URL of the picked file). */
  previewUrl: string | null;
  attachment: Attachment | null;
  error: string | null;
}

/**
 * The files picked for the next question: each is uploaded at once (`POST /api/attachments` with
 * the session's token, through the SDK), shown as a chip, and can be removed before sending.
 * A refused file keeps its chip with the server's reason (which names the file and the limit).
 */
export function createPendingFiles(upload: (file: File) => Promise<Attachment>) {
  const [files, setFiles] = createSignal<PendingFile[]>([]);
  let counter = 0;
  const update = (key: string, patch: Partial<PendingFile>) =>
    setFiles((all) => all.map((f) => (f.key === key ? { ...f, ...patch } : f)));
  const revoke = (file: PendingFile) => file.previewUrl && URL.revokeObjectURL(file.previewUrl);
  onCleanup(() => files().forEach(revoke));

  const add = (picked: File[]) => {
    for (const file of picked) {
      const key = `f${++counter}`;
      const previewUrl = file.type.startsWith('image/') ? URL.createObjectURL(file) : null;
      setFiles((all) => [...all, { key, name: file.name, previewUrl, attachment: null, error: null }]);
      upload(file).then(
        (attachment) => update(key, { attachment }),
        (err: unknown) =>
          update(key, {
            error: err instanceof AttachmentError ? err.message : `"${file.name}" could not be uploaded`,
          }),
      );
    }
  };
  const remove = (key: string) => {
    const file = files().find((f) => f.key === key);
    if (file) revoke(file);
    setFiles((all) => all.filter((f) => f.key !== key));
  };
  return {
    files,
    add,
    remove,
    clear: () => {
      files().forEach(revoke);
      setFiles([]);
    },
    ready: () => files().flatMap((f) => (f.attachment ? [f.attachment] : [])),
    isUploading: () => files().some((f) => !f.attachment && !f.error),
    hasImage: () => files().some((f) => f.attachment?.kind === 'image'),
  };
}

export type PendingFiles = ReturnType<typeof createPendingFiles>;

const kindLabel = { text: 'text', pdf: 'PDF', image: 'image' } as const;

/** The chips of the files picked for the next question, each removable. */
export function PendingChips(props: { pending: PendingFiles }) {
  return (
    <Show when={props.pending.files().length > 0}>
      <ul class="attachment-chips" aria-label="Attached files">
        <For each={props.pending.files()}>
          {(file) => (
            <li class="attachment-chip" classList={{ 'attachment-chip-error': file.error !== null }}>
              <Show when={file.previewUrl}>{(url) => <img class="attachment-thumb" src={url()} alt="" />}</Show>
              <span class="attachment-name">{file.name}</span>
              <Show when={!file.attachment && !file.error}>
                <span class="spinner spinner-small" aria-label="Uploading" />
              </Show>
              <Show when={file.attachment}>{(a) => <span class="muted">{kindLabel[a().kind]}</span>}</Show>
              <button
                type="button"
                class="attachment-remove"
                aria-label={`Remove ${file.name}`}
                onClick={() => props.pending.remove(file.key)}
              >
                ×
              </button>
              <Show when={file.error}>
                {(message) => (
                  <span class="field-error attachment-error" role="alert">
                    {message()}
                  </span>
                )}
              </Show>
            </li>
          )}
        </For>
      </ul>
    </Show>
  );
}

/** A question's files, as chips: an image with its thumbnail; a click opens the file. */
export function AttachmentChips(props: { attachments: readonly Attachment[] }) {
  return (
    <Show when={props.attachments.length > 0}>
      <ul class="attachment-chips attachment-chips-question" aria-label="Attached files">
        <For each={props.attachments}>{(attachment) => <StoredChip attachment={attachment} />}</For>
      </ul>
    </Show>
  );
}

function StoredChip(props: { attachment: Attachment }) {
  const client = useClient();
  // The bytes come with the session's token (an <img src> cannot send it), as an object URL.
  const [url] = createResource(
    () => props.attachment.kind === 'image' && props.attachment.id,
    async (id) => URL.createObjectURL(await client.downloadAttachment(id)),
  );
  onCleanup(() => {
    const current = url.state === 'ready' ? url() : undefined;
    if (current) URL.revokeObjectURL(current);
  });
  const isImage = () => props.attachment.kind === 'image';
  const open = async () => {
    const current =
      url.state === 'ready' ? url() : URL.createObjectURL(await client.downloadAttachment(props.attachment.id));
    window.open(current, '_blank', 'noopener');
  };
  return (
    <li class="attachment-chip">
      <button type="button" class="attachment-open" onClick={() => void open()} title={`Open ${props.attachment.name}`}>
        <Show when={isImage() && url.state === 'ready' ? url() : undefined}>
          {(src) => <img class="attachment-thumb" src={src()} alt={props.attachment.name} />}
        </Show>
        <span class="attachment-name">{props.attachment.name}</span>
        <span class="muted">{kindLabel[props.attachment.kind]}</span>
      </button>
    </li>
  );
}
