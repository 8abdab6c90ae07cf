import { fireEvent, screen, waitFor } from '@solidjs/testing-library';
import { expect, test, vi } from 'vitest';
import { ConversationsProvider, createConversationsStore } from '../conversations/conversations-store';
import { clientFor, fakeTrpcServer, type FakeHandler } from '../testing/fake-trpc-fetch';
import { renderWithClient } from '../testing/render';
import { DataSection, readText } from './data-section';

const IDS = ['7b0e5f7e-2d3c-4a1b-9f8e-1c2d3e4f5a61', '7b0e5f7e-2d3c-4a1b-9f8e-1c2d3e4f5a62'];
const listed = {
  id: IDS[0],
  title: 'Imported one',
  messageCount: 2,
  createdAt: '2026-11-01T00:00:00.000Z',
  updatedAt: '2026-11-01T00:00:00.000Z',
};

function renderData(handlers: Record<string, FakeHandler>) {
  const server = fakeTrpcServer({
    'conversations.list': () => ({ data: { items: [listed], nextCursor: null } }),
    ...handlers,
  });
  const client = clientFor(server);
  const store = createConversationsStore(client);
  renderWithClient(
    () => (
      <ConversationsProvider store={store}>
        <DataSection />
      </ConversationsProvider>
    ),
    client,
    '/settings',
  );
  return { server, store };
}

const chooseFile = (content: string, name = 'export.json') => {
  const input = screen.getByLabelText<HTMLInputElement>('Import conversations from a file');
  const file = new File([content], name, { type: 'application/json' });
  Object.defineProperty(input, 'files', { value: [file], configurable: true });
  fireEvent.change(input);
  return input;
};

test('importing a file sends its parsed JSON, says how many conversations came in and refreshes the list', async () => {
  const document = { format: 'llm-council-export', version: 1, conversations: [] };
  const { server, store } = renderData({ 'conversations.import': () => ({ data: { conversationIds: IDS } }) });
  chooseFile(JSON.stringify(document));

  const status = await screen.findByText(/^Imported/);
  expect(status.textContent).toBe('Imported 2 conversations from “export.json”.');
  expect(server.calls.find((c) => c.path === 'conversations.import')?.input).toEqual({ data: document });
  await waitFor(() => expect(store.state.items.map((c) => c.title)).toEqual(['Imported one']));
});

test('one imported conversation gets a link to open it', async () => {
  renderData({ 'conversations.import': () => ({ data: { conversationIds: [IDS[1]] } }) });
  chooseFile('{"id":"x"}', 'original.json');
  expect((await screen.findByText(/^Imported/)).textContent).toContain('Imported 1 conversation from “original.json”.');
  expect(screen.getByRole('link', { name: 'Open it' }).getAttribute('href')).toBe(`/c/${IDS[1]}`);
});

test('a file that is not JSON is refused before anything is sent', async () => {
  const { server } = renderData({});
  chooseFile('hello, not json', 'notes.txt');
  const alert = await screen.findByRole('alert');
  expect(alert.textContent).toMatch(/^“notes.txt” is not a JSON file \(.+\)\.$/);
  expect(server.calls.some((c) => c.path === 'conversations.import')).toBe(false);
});

test('a file the server refuses shows the server’s reason, and the list is not reloaded', async () => {
  const reason = 'Not a valid llm-council conversation file: messages.1.stage1: Required';
  const { server } = renderData({
    'conversations.import': () => ({ error: { code: 'BAD_REQUEST', message: reason, appCode: 'IMPORT_INVALID' } }),
  });
  const input = chooseFile('{"id":"x","messages":[]}');
  const alert = await screen.findByRole('alert');
  expect(alert.textContent).toBe(`Could not import “export.json”: ${reason}`);
  expect(server.calls.some((c) => c.path === 'conversations.list')).toBe(false);
  // The same (fixed) file can be chosen again.
  expect(input.value).toBe('');
});

test('"Download all my data" fetches every part of the export and saves them joined as one file', async () => {
  // jsdom has no object URLs and does not download: record what the page hands the browser instead.
  const urls = URL as unknown as Record<'createObjectURL' | 'revokeObjectURL', unknown>;
  const original = { create: urls.createObjectURL, revoke: urls.revokeObjectURL };
  let lastBlob: Blob | undefined;
  urls.createObjectURL = (blob: Blob) => ((lastBlob = blob), 'blob:export');
  urls.revokeObjectURL = () => undefined;
  const saved: { blob: Blob; name: string }[] = [];
  const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    if (lastBlob) saved.push({ blob: lastBlob, name: this.download });
  });
  try {
    const file = { filename: 'llm-council-export-2026-11-27.json', contentType: 'application/json' };
    // The server sends the document in parts: each names the cursor of the next, the last none.
    const parts: Record<string, { content: string; nextCursor: string | null }> = {
      first: { content: '{"format":"llm-council-export","conversations":[{"id":"a"}', nextCursor: 'page-2' },
      'page-2': { content: ',{"id":"b"}', nextCursor: 'page-3' },
      'page-3': { content: ']}', nextCursor: null },
    };
    const { server } = renderData({
      'account.exportAll': (input) => ({
        data: { ...file, ...parts[(input as { cursor?: string } | undefined)?.cursor ?? 'first'] },
      }),
    });
    fireEvent.click(screen.getByRole('button', { name: 'Download all my data' }));

    expect((await screen.findByRole('status')).textContent).toBe('Downloaded llm-council-export-2026-11-27.json.');
    expect(saved.map((s) => s.name)).toEqual([file.filename]);
    expect(saved[0] && (await readText(saved[0].blob))).toBe(
      '{"format":"llm-council-export","conversations":[{"id":"a"},{"id":"b"}]}',
    );
    expect(server.calls.filter((c) => c.path === 'account.exportAll').map((c) => c.input)).toEqual([
      undefined,
      { cursor: 'page-2' },
      { cursor: 'page-3' },
    ]);
    expect(saved[0]?.blob.type).toBe('application/json');
  } finally {
    click.mockRestore();
    urls.createObjectURL = original.create;
    urls.revokeObjectURL = original.revoke;
  }
});
