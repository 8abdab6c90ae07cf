import { Show } from 'solid-js';
import { useClient } from '../client-context';
import { createMutation } from '../ui/create-mutation';
import { downloadFile } from './download';

/** "Export: Markdown · JSON" for one conversation. */
export function ExportButtons(props: { conversationId: string }) {
  const client = useClient();
  const exporting = createMutation(async (format: 'markdown' | 'json') =>
    downloadFile(await client.conversations.export.query({ id: props.conversationId, format })),
  );
  const exportAs = (format: 'markdown' | 'json') => void exporting.run(format);
  return (
    <div class="export-buttons">
      <span>Export:</span>
      <button type="button" class="button button-small button-ghost" onClick={() => exportAs('markdown')}>
        Markdown
      </button>
      <button type="button" class="button button-small button-ghost" onClick={() => exportAs('json')}>
        JSON
      </button>
      <Show when={exporting.error()}>
        {(error) => (
          <span class="field-error" role="alert">
            Could not export: {error().message}
          </span>
        )}
      </Show>
    </div>
  );
}
