import { Show, createSignal } from 'solid-js';
import { useClient } from '../client-context';
import { describeError } from '../ui/describe-error';
import { downloadFile } from './download';

/** "Export: Markdown · JSON" for one conversation. */
export function ExportButtons(props: { conversationId: string }) {
  const client = useClient();
  const [error, setError] = createSignal<string | null>(null);
  const exportAs = async (format: 'markdown' | 'json') => {
    setError(null);
    try {
      downloadFile(await client.conversations.export.query({ id: props.conversationId, format }));
    } catch (e) {
      setError(`Could not export: ${describeError(e).message}`);
    }
  };
  return (
    <div class="export-buttons">
      <span>Export:</span>
      <button type="button" class="button button-small button-ghost" onClick={() => void exportAs('markdown')}>
        Markdown
      </button>
      <button type="button" class="button button-small button-ghost" onClick={() => void exportAs('json')}>
        JSON
      </button>
      <Show when={error()}>
        <span class="field-error" role="alert">
          {error()}
        </span>
      </Show>
    </div>
  );
}
