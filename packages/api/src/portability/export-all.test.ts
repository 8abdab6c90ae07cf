import { expect } from 'vitest';
import { createAnsweredConversation, type AnsweredTurn } from '../testing/council-records.js';
import { apiTest as test, type Caller } from '../testing/test-api.js';
import type { ExportDocument } from './export-format.js';
import { EXPORT_PAGE_CONVERSATIONS } from './export.service.js';

// account.exportAll in parts (issue 17 §2): the joined parts are the one export document, and no
// request holds more than a page of conversations (security cases 74–75 hold for every part).

const turnsAt = (at: Date, question: string): AnsweredTurn[] => [
  {
    question,
    answers: { 'test/alpha': `Alpha on ${question}`, 'test/beta': 'Beta.' },
    final: `Final: ${question}`,
    at,
  },
];

/** Follows `nextCursor` to the end, as the web and any SDK user do; returns the parts and the joined file. */
async function exportAllParts(caller: Caller) {
  const parts = [await caller.account.exportAll()];
  for (let next = parts[0]?.nextCursor; next; next = parts.at(-1)?.nextCursor) {
    parts.push(await caller.account.exportAll({ cursor: next }));
    if (parts.length > 100) throw new Error('exportAll never ended');
  }
  const content = parts.map((p) => p.content).join('');
  return { parts, content, doc: JSON.parse(content) as ExportDocument };
}

test('a small account comes in one part, the same document conversations.export writes', async ({ api }) => {
  const { user, caller } = await api.signUp();
  const day = new Date('2026-11-20T10:00:00Z');
  const ids = [];
  for (const title of ['First', 'Second', 'Third'])
    ids.push((await createAnsweredConversation(api.db, user.id, { title, turns: turnsAt(day, title) })).conversationId);

  const file = await caller.account.exportAll();
  expect(file.nextCursor).toBeNull();
  expect(file.filename).toMatch(/^llm-council-export-\d{4}-\d{2}-\d{2}\.json$/);
  const doc = JSON.parse(file.content) as ExportDocument;
  // Byte for byte what JSON.stringify(document, null, 2) gave before the export was paged.
  expect(file.content).toBe(JSON.stringify(doc, null, 2));
  expect(Object.keys(doc)).toEqual(['format', 'version', 'exportedAt', 'account', 'conversations']);
  expect(doc.account?.email).toBe(user.email);
  for (const id of ids) {
    const one = JSON.parse((await caller.conversations.export({ id, format: 'json' })).content) as ExportDocument;
    expect(doc.conversations.find((c) => c.id === id)).toEqual(one.conversations[0]);
  }
});

test('an empty account is one part with no conversations', async ({ api }) => {
  const { caller } = await api.signUp();
  const file = await caller.account.exportAll();
  expect(file.nextCursor).toBeNull();
  expect(file.content).toBe(JSON.stringify(JSON.parse(file.content), null, 2));
  expect((JSON.parse(file.content) as ExportDocument).conversations).toEqual([]);
});

test("a big account comes in pages that join into every conversation once, never another user's", async ({ api }) => {
  const alice = await api.signUp();
  const bob = await api.signUp();
  const total = EXPORT_PAGE_CONVERSATIONS * 2 + 3;
  const day = new Date('2026-11-20T10:00:00Z');
  const aliceIds = new Set<string>();
  for (let i = 0; i < total; i++) {
    // Pairs share a creation time, so the page boundary falls inside a tie at least once.
    const at = new Date(day.getTime() + Math.floor(i / 2) * 60_000);
    const title = `Alice ${i}`;
    aliceIds.add(
      (await createAnsweredConversation(api.db, alice.user.id, { title, turns: turnsAt(at, title) })).conversationId,
    );
    if (i % 10 === 0)
      await createAnsweredConversation(api.db, bob.user.id, { title: `Bob ${i}`, turns: turnsAt(at, 'Bob') });
  }

  const { parts, content, doc } = await exportAllParts(alice.caller);
  expect(parts).toHaveLength(3);
  expect(parts.map((p) => p.nextCursor === null)).toEqual([false, false, true]);
  expect(content).toBe(JSON.stringify(doc, null, 2));
  expect(doc.account?.email).toBe(alice.user.email);
  expect(doc.conversations.map((c) => c.id).sort()).toEqual([...aliceIds].sort());
  expect(doc.conversations.every((c) => c.title.startsWith('Alice') && c.runs.length === 1)).toBe(true);
  expect(content).not.toContain('Bob');
  // In creation order, as the one-call export was.
  const created = doc.conversations.map((c) => c.createdAt);
  expect(created).toEqual([...created].sort());

  // Bob holding Alice's cursor is refused: it names no conversation of his.
  const aliceCursor = parts[0]?.nextCursor ?? '';
  await expect(bob.caller.account.exportAll({ cursor: aliceCursor })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  const bobs = await exportAllParts(bob.caller);
  expect(bobs.doc.conversations.map((c) => c.title).sort()).toEqual(['Bob 0', 'Bob 10', 'Bob 20', 'Bob 30', 'Bob 40']);
});

test('a conversation deleted under the cursor mid-download is a clear error, never a file silently cut short', async ({
  api,
}) => {
  // Before this check, the next part read an empty page and closed the document early.
  const { user, caller } = await api.signUp();
  const at = new Date('2026-11-20T10:00:00Z');
  for (let i = 0; i < EXPORT_PAGE_CONVERSATIONS + 2; i++)
    await createAnsweredConversation(api.db, user.id, { title: `Kept ${i}`, turns: turnsAt(at, `q${i}`) });
  const first = await caller.account.exportAll();
  expect(first.nextCursor).not.toBeNull();
  await caller.conversations.delete({ id: first.nextCursor ?? '' });
  const failure = await caller.account.exportAll({ cursor: first.nextCursor }).catch((error: unknown) => error);
  expect(failure).toMatchObject({ code: 'NOT_FOUND' });
  expect((failure as Error).message).toContain('start the download again');
});

test('a cursor that is not an id is a clear BAD_REQUEST', async ({ api }) => {
  const { caller } = await api.signUp();
  await expect(caller.account.exportAll({ cursor: 'not-an-id' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
});
