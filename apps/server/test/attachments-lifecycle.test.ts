import { expect } from 'vitest';
import { STRONG_PASSWORD } from './helpers/test-server.js';
import { signUpWithKey, waitForRunStatus, type CouncilTestbed } from './helpers/council-harness.js';
import { councilTest } from './helpers/fixtures.js';
import { imageBytes, pdfBytes } from './helpers/files.js';

// Issue 22 §2: a question's files are searchable, go into the JSON export as base64 and come back
// with an import (checked like an upload), and are deleted with their conversation or account.

const test = councilTest();

async function askWithFiles(bed: CouncilTestbed) {
  const user = await signUpWithKey(bed.server);
  const pdf = await user.client.uploadAttachment(
    new Blob([pdfBytes({ pages: [['The quarterly zanzibarite figures rose.']] })]),
    'report.pdf',
  );
  const png = imageBytes('png', 120);
  const image = await user.client.uploadAttachment(new Blob([png]), 'chart.png');
  const { runId, messageId } = await user.client.council.start.mutate({
    conversationId: user.conversationId,
    content: 'Summarise the report',
    attachmentIds: [pdf.id, image.id],
  });
  await waitForRunStatus(user.client, runId, ['completed']);
  return { ...user, messageId, png };
}

test("a PDF's text is found by search, on its question", async ({ bed }) => {
  const user = await askWithFiles(bed);
  const { items } = await user.client.conversations.search.query({ query: 'zanzibarite' });
  expect(items.map((hit) => [hit.conversationId, hit.messageId])).toEqual([[user.conversationId, user.messageId]]);
  const byName = await user.client.conversations.search.query({ query: 'chart.png' });
  expect(byName.items.map((hit) => hit.conversationId)).toEqual([user.conversationId]);
});

test('the JSON export carries the files as base64 and an import brings them back, searchable', async ({ bed }) => {
  const user = await askWithFiles(bed);
  const exported = await user.client.conversations.export.query({ id: user.conversationId, format: 'json' });
  const document = JSON.parse(exported.content) as {
    conversations: {
      messages: { attachments?: { name: string; kind: string; data: string; text: string | null }[] }[];
    }[];
  };
  const files = document.conversations[0]?.messages[0]?.attachments ?? [];
  expect(files.map((f) => [f.name, f.kind])).toEqual([
    ['report.pdf', 'pdf'],
    ['chart.png', 'image'],
  ]);
  expect(Buffer.from(files[1]?.data ?? '', 'base64').equals(user.png)).toBe(true);
  expect(files[0]?.text).toContain('zanzibarite');

  const other = await signUpWithKey(bed.server);
  const { conversationIds } = await other.client.conversations.import.mutate({ data: document });
  const imported = await other.client.conversations.get.query({ id: conversationIds[0] ?? '' });
  const question = imported.messages[0];
  expect(question?.attachments.map((a) => [a.name, a.kind, a.size])).toEqual([
    ['report.pdf', 'pdf', files[0] ? Buffer.from(files[0].data, 'base64').length : 0],
    ['chart.png', 'image', user.png.length],
  ]);
  const blob = await other.client.downloadAttachment(question?.attachments[1]?.id ?? '');
  expect(Buffer.from(await blob.arrayBuffer()).equals(user.png)).toBe(true);
  const found = await other.client.conversations.search.query({ query: 'zanzibarite' });
  expect(found.items.map((hit) => hit.conversationId)).toEqual([conversationIds[0]]);
});

test('an import whose file bytes are not what it says is refused whole, naming the file', async ({ bed }) => {
  const user = await askWithFiles(bed);
  const exported = await user.client.conversations.export.query({ id: user.conversationId, format: 'json' });
  const document = JSON.parse(exported.content) as {
    conversations: { messages: { attachments?: { data: string }[] }[] }[];
  };
  const files = document.conversations[0]?.messages[0]?.attachments ?? [];
  if (files[1]) files[1].data = Buffer.from('#!/bin/sh\nrm -rf /\n').toString('base64'); // "chart.png"
  const other = await signUpWithKey(bed.server);
  const refused = await other.client.conversations.import.mutate({ data: document }).catch((e: unknown) => e as Error);
  expect((refused as Error).message).toBe(
    'Not a valid export: conversations.0.messages.0.attachments.1 ("chart.png"): its bytes are not a image/png image file',
  );
  const list = await other.client.conversations.list.query({});
  expect(list.items.map((c) => c.id)).toEqual([other.conversationId]);
});

test('deleting the conversation deletes its files and their bytes; deleting the account deletes every upload', async ({
  bed,
}) => {
  const user = await askWithFiles(bed);
  const { db } = bed.server;
  const count = async (table: 'attachments' | 'attachmentBlobs') =>
    (await db.selectFrom(table).select('userId').where('userId', '=', user.userId).execute()).length;
  expect([await count('attachments'), await count('attachmentBlobs')]).toEqual([2, 2]);
  await user.client.uploadAttachment(new Blob(['not attached yet']), 'later.txt');

  await user.client.conversations.delete.mutate({ id: user.conversationId });
  expect([await count('attachments'), await count('attachmentBlobs')]).toEqual([1, 1]);
  const entries = await db.selectFrom('searchEntries').select('kind').where('userId', '=', user.userId).execute();
  expect(entries.filter((e) => e.kind === 'attachment')).toEqual([]);

  await user.client.account.delete.mutate({ password: STRONG_PASSWORD });
  expect([await count('attachments'), await count('attachmentBlobs')]).toEqual([0, 0]);
});
