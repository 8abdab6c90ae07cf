import { A } from '@solidjs/router';
import { Show, createSignal } from 'solid-js';
import { useClient } from '../client-context';
import { useConversationsIfAny } from '../conversations/conversations-store';
import { describeError } from '../ui/describe-error';
import { ErrorNotice } from '../ui/error-notice';
import { downloadFile } from './download';
import './data.css';

/** What the last action came to; `openId` links to the one conversation an import added. */
interface Outcome {
  ok: boolean;
  text: string;
  openId?: string;
}

/**
 * Settings → Your data: download everything (one JSON file, `account.exportAll`) and import an
 * export of this app or an original llm-council conversation file (`conversations.import`).
 */
export function DataSection() {
  const client = useClient();
  const conversations = useConversationsIfAny();
  const [isExporting, setExporting] = createSignal(false);
  const [exported, setExported] = createSignal<Outcome | null>(null);
  const [isImporting, setImporting] = createSignal(false);
  const [imported, setImported] = createSignal<Outcome | null>(null);

  const downloadAll = async () => {
    setExported(null);
    setExporting(true);
    try {
      // The server sends the file in parts (a page of conversations each); the Blob joins them.
      let page = await client.account.exportAll.query();
      const file = { ...page, content: [page.content] };
      while (page.nextCursor) {
        page = await client.account.exportAll.query({ cursor: page.nextCursor });
        file.content.push(page.content);
      }
      downloadFile(file);
      setExported({ ok: true, text: `Downloaded ${file.filename}.` });
    } catch (error) {
      setExported({ ok: false, text: `Could not export your data: ${describeError(error).message}` });
    } finally {
      setExporting(false);
    }
  };

  const importFile = async (input: HTMLInputElement) => {
    const file = input.files?.[0];
    if (!file) return;
    setImported(null);
    setImporting(true);
    try {
      setImported(await importDocument(file));
    } finally {
      setImporting(false);
      // Choosing the same file again (after fixing it) must fire `change` again.
      input.value = '';
    }
  };

  const importDocument = async (file: File): Promise<Outcome> => {
    let data: unknown;
    try {
      data = JSON.parse(await readText(file));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return { ok: false, text: `“${file.name}” is not a JSON file (${reason}).` };
    }
    try {
      const { conversationIds } = await client.conversations.import.mutate({ data });
      void conversations?.loadFirst();
      const count = conversationIds.length;
      return {
        ok: true,
        text: `Imported ${count} ${count === 1 ? 'conversation' : 'conversations'} from “${file.name}”.`,
        ...(count === 1 && conversationIds[0] ? { openId: conversationIds[0] } : {}),
      };
    } catch (error) {
      return { ok: false, text: `Could not import “${file.name}”: ${describeError(error).message}` };
    }
  };

  return (
    <section class="settings-section" aria-labelledby="data-heading">
      <h2 id="data-heading">Your data</h2>
      <div class="card data-card">
        <h3>Download all my data</h3>
        <p class="muted">
          Every conversation with each stage, ranking and usage, and your account's email and creation date, as one JSON
          file. Keys, passwords and tokens are never included.
        </p>
        <button type="button" class="button" disabled={isExporting()} onClick={() => void downloadAll()}>
          {isExporting() ? 'Preparing…' : 'Download all my data'}
        </button>
        <Show when={exported()}>{(outcome) => <OutcomeNotice outcome={outcome()} />}</Show>
      </div>
      <div class="card data-card">
        <h3>Import</h3>
        <p class="muted" id="import-hint">
          A JSON export of this app (yours or from another server), or one conversation file of the original
          llm-council. Imported conversations are added to yours; nothing is replaced.
        </p>
        <label class="data-import-label" for="import-file">
          Import conversations from a file
        </label>
        <input
          id="import-file"
          type="file"
          accept="application/json,.json"
          aria-describedby="import-hint"
          disabled={isImporting()}
          onChange={(e) => void importFile(e.currentTarget)}
        />
        <Show when={isImporting()}>
          <p class="muted" role="status">
            Importing…
          </p>
        </Show>
        <Show when={imported()}>{(outcome) => <OutcomeNotice outcome={outcome()} />}</Show>
      </div>
    </section>
  );
}

function OutcomeNotice(props: { outcome: Outcome }) {
  return (
    <Show when={props.outcome.ok} fallback={<ErrorNotice message={props.outcome.text} />}>
      <div class="notice notice-success" role="status">
        <p>
          {props.outcome.text}
          <Show when={props.outcome.openId}>
            {(id) => (
              <>
                {' '}
                <A href={`/c/${id()}`}>Open it</A>
              </>
            )}
          </Show>
        </p>
      </div>
    </Show>
  );
}

/** The file's text (FileReader rather than `Blob.text()`, which older engines and jsdom lack). */
export function readText(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(typeof reader.result === 'string' ? reader.result : '');
    reader.onerror = () => reject(reader.error ?? new Error('The file could not be read'));
    reader.readAsText(blob);
  });
}
