import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { createAnsweredConversation, type AnsweredTurn } from '../testing/council-records.js';
import type { ExportDocument } from './export-format.js';
import { newApiKey, saveApiKey } from '../testing/factories.js';
import { failureOf } from '../testing/failure-of.js';
import { apiTest as test, type Caller } from '../testing/test-api.js';

// conversations.export / conversations.import / account.exportAll (security cases 74–76).

/** The hand-written file, loosely typed: tests break it on purpose. */
type OriginalFile = { messages: Record<string, unknown>[] } & Record<string, unknown>;
const original = JSON.parse(
  readFileSync(join(import.meta.dirname, 'fixtures/original-conversation.json'), 'utf8'),
) as OriginalFile;
const parseExport = (content: string) => JSON.parse(content) as ExportDocument;

const twoTurns: { title: string; turns: AnsweredTurn[] } = {
  title: 'Bridges and tunnels',
  turns: [
    {
      question: 'How do suspension bridges carry load?',
      answers: { 'test/alpha': 'Cables in tension.', 'test/beta': 'Towers in compression.', 'test/gamma': 'Both.' },
      final: 'Tension in the cables, compression in the towers.',
      usagePerCall: { promptTokens: 100, completionTokens: 50, cost: 0.001 },
    },
    {
      question: 'And tunnels?',
      answers: { 'test/alpha': 'Arches.', 'test/beta': 'Rock bolts.' },
      final: 'Arches and rock bolts.',
    },
  ],
};

/** What a conversation's stages and rankings are, without ids and times. */
async function stagesOf(caller: Caller, id: string) {
  const c = await caller.conversations.get({ id });
  return {
    title: c.title,
    messages: c.messages.map((m) => [m.role, m.content]),
    runs: c.runs.map((r) => ({
      status: r.status,
      models: r.models,
      chairman: r.chairmanModel,
      labelToModel: r.labelToModel,
      aggregate: r.aggregate,
      stage1: r.stage1.map((a) => [a.model, a.content, a.usage]),
      stage2: r.stage2.map((v) => [v.reviewer, v.content, v.parsedRanking, v.shownOrder, v.rankingStatus]),
      stage3: r.stage3 && [r.stage3.model, r.stage3.content],
    })),
  };
}

test('a JSON export imports back with identical stages and rankings, marked as imported', async ({ api }) => {
  const { user, caller } = await api.signUp();
  const { conversationId } = await createAnsweredConversation(api.db, user.id, twoTurns);

  const file = await caller.conversations.export({ id: conversationId, format: 'json' });
  expect(file).toMatchObject({ contentType: 'application/json' });
  expect(file.filename).toMatch(/^llm-council-bridges-and-tunnels-\d{4}-\d{2}-\d{2}\.json$/);
  const { conversationIds } = await caller.conversations.import({ data: parseExport(file.content) });
  expect(conversationIds).toHaveLength(1);
  expect(conversationIds[0]).not.toBe(conversationId);

  expect(await stagesOf(caller, conversationIds[0] ?? '')).toEqual(await stagesOf(caller, conversationId));
  const [copy] = await api.db
    .selectFrom('conversations')
    .select(['importedAt'])
    .where('id', '=', conversationIds[0] ?? '')
    .execute();
  expect(copy?.importedAt).toBeInstanceOf(Date);
  // The copy is searchable like anything else.
  const hits = await caller.conversations.search({ query: 'rock bolts' });
  expect(hits.items.map((i) => i.conversationId).sort()).toEqual([conversationId, conversationIds[0]].sort());
});

test('a Markdown export reads as the conversation: questions, final answers, street cred, every answer', async ({
  api,
}) => {
  const { user, caller } = await api.signUp();
  const { conversationId } = await createAnsweredConversation(api.db, user.id, twoTurns);
  const file = await caller.conversations.export({ id: conversationId, format: 'markdown' });
  expect(file.filename).toMatch(/\.md$/);
  expect(file.contentType).toBe('text/markdown; charset=utf-8');
  const md = file.content;
  expect(md.startsWith('# Bridges and tunnels\n')).toBe(true);
  for (const text of ['How do suspension bridges carry load?', 'Tension in the cables', 'Towers in compression.']) {
    expect(md).toContain(text);
  }
  expect(md.indexOf('How do suspension')).toBeLessThan(md.indexOf('And tunnels?'));
  expect(md).toContain('| 1 | test/alpha |');
  expect(md).toContain('Ranking: 1. test/alpha, 2. test/beta, 3. test/gamma');
});

test("another user's conversation is NOT_FOUND for export (case 74)", async ({ api }) => {
  const alice = await api.signUp();
  const bob = await api.signUp();
  const { conversationId } = await createAnsweredConversation(api.db, alice.user.id, twoTurns);
  const missing = await failureOf(bob.caller.conversations.export({ id: crypto.randomUUID(), format: 'json' }));
  for (const format of ['json', 'markdown'] as const) {
    expect(await failureOf(bob.caller.conversations.export({ id: conversationId, format }))).toEqual(missing);
  }
  expect(missing.appCode).toBe('NOT_FOUND');
  const everything = parseExport((await bob.caller.account.exportAll()).content);
  expect(everything.conversations).toEqual([]);
});

test('account.exportAll carries every conversation and the account, never a key, hash or token (case 75)', async ({
  api,
}) => {
  const { user, caller } = await api.signUp();
  const apiKey = newApiKey();
  await saveApiKey(api.db, api.config, user.id, apiKey);
  await createAnsweredConversation(api.db, user.id, twoTurns);
  await createAnsweredConversation(api.db, user.id, { ...twoTurns, title: 'Second' });
  const file = await caller.account.exportAll();
  expect(file.filename).toMatch(/^llm-council-export-\d{4}-\d{2}-\d{2}\.json$/);
  const doc = parseExport(file.content);
  expect(doc).toMatchObject({ format: 'llm-council-export', version: 1, account: { email: user.email } });
  expect(doc.conversations.map((c) => c.title).sort()).toEqual(['Bridges and tunnels', 'Second']);
  expect(doc.conversations[0]?.runs[0]?.responses[0]?.usage).toMatchObject({ promptTokens: 100, cost: 0.001 });

  const secrets = await api.db
    .selectFrom('users')
    .innerJoin('userApiKeys', 'userApiKeys.userId', 'users.id')
    .select(['users.passwordHash', 'userApiKeys.encryptedKey', 'userApiKeys.keyHint'])
    .where('users.id', '=', user.id)
    .executeTakeFirstOrThrow();
  for (const secret of [apiKey, secrets.passwordHash, secrets.encryptedKey, secrets.keyHint]) {
    expect(file.content).not.toContain(secret);
  }
  expect(file.content).not.toMatch(/password|apiKey|encrypted|tokenHash/i);
  // And it imports back whole.
  expect((await caller.conversations.import({ data: doc })).conversationIds).toHaveLength(2);
});

test('an original llm-council conversation file imports with its stages, labels and rankings', async ({ api }) => {
  const { caller } = await api.signUp();
  const { conversationIds } = await caller.conversations.import({ data: original });
  expect(conversationIds).toHaveLength(1);
  const c = await caller.conversations.get({ id: conversationIds[0] ?? '' });
  expect(c.title).toBe('Tea Brewing Temperatures');
  expect(c.createdAt).toBe('2025-11-22T14:03:51.204Z');
  expect(c.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
  expect(c.messages[1]?.content).toMatch(/^Brew green tea at 70-80 °C/);
  const [first, second] = c.runs;
  expect(first?.status).toBe('completed');
  expect(first?.stage1.map((a) => a.model)).toEqual([
    'openai/gpt-5.1',
    'google/gemini-3-pro-preview',
    'anthropic/claude-sonnet-4.5',
  ]);
  expect(first?.labelToModel).toEqual({
    'Response A': 'openai/gpt-5.1',
    'Response B': 'google/gemini-3-pro-preview',
    'Response C': 'anthropic/claude-sonnet-4.5',
  });
  // The original's repeated label is read once; the table counts peer votes only.
  expect(first?.stage2[2]?.parsedRanking).toEqual(['Response B', 'Response A', 'Response C']);
  expect(first?.aggregate?.map((row) => row.model)).toEqual([
    'google/gemini-3-pro-preview',
    'anthropic/claude-sonnet-4.5',
    'openai/gpt-5.1',
  ]);
  expect(first?.stage3).toMatchObject({ model: 'google/gemini-3-pro-preview' });
  expect(second?.stage1).toHaveLength(2);
  expect(c.messages[2]?.id).toBe(second?.userMessageId);
});

test('a bad file is refused naming what is wrong, and nothing of it is stored', async ({ api }) => {
  const { user, caller } = await api.signUp();
  const count = () =>
    api.db
      .selectFrom('conversations')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('userId', '=', user.id)
      .executeTakeFirstOrThrow();
  const before = Number((await count()).n);

  const noStage1 = structuredClone(original);
  delete noStage1.messages[1]?.['stage1'];
  const refusal = await failureOf(caller.conversations.import({ data: noStage1 }));
  expect(refusal).toMatchObject({ code: 'BAD_REQUEST', appCode: 'IMPORT_INVALID' });
  expect(refusal.message).toMatch(/^Not a valid llm-council conversation file: messages\.1\.stage1/);

  const unknown = await failureOf(caller.conversations.import({ data: { hello: 'world' } }));
  expect(unknown.message).toMatch(/expected an export of this app/);
  const future = await failureOf(caller.conversations.import({ data: { format: 'llm-council-export', version: 9 } }));
  expect(future.message).toContain('version');

  // The second conversation breaks only when written (one model answering a stage twice): the
  // first, already inserted in the same transaction, is rolled back with it.
  const { conversationId } = await createAnsweredConversation(api.db, user.id, twoTurns);
  const doc = parseExport((await caller.conversations.export({ id: conversationId, format: 'json' })).content);
  const broken = structuredClone(doc.conversations[0]);
  const run = broken?.runs[0];
  if (!broken || !run?.responses[0]) throw new Error('the export has no response to repeat');
  run.responses.push(run.responses[0]);
  doc.conversations.push(broken);
  const duplicate = await failureOf(caller.conversations.import({ data: doc }));
  expect(duplicate).toMatchObject({ code: 'BAD_REQUEST', appCode: 'IMPORT_INVALID' });
  expect(Number((await count()).n)).toBe(before + 1);
});

test('an import larger than IMPORT_MAX_BYTES is 413 PAYLOAD_TOO_LARGE', async ({ api }) => {
  const { caller } = await api.signUp();
  const big = structuredClone(original);
  big.messages[0] = { role: 'user', content: 'x'.repeat(api.config.importMaxBytes) };
  const refusal = await failureOf(caller.conversations.import({ data: big }));
  expect(refusal).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', appCode: 'PAYLOAD_TOO_LARGE' });
  expect(refusal.message).toMatch(/at most 2\.0 MB/);
});

test("importing someone else's export creates new rows for the importer and leaves theirs alone (case 76)", async ({
  api,
}) => {
  const alice = await api.signUp();
  const bob = await api.signUp();
  const { conversationId } = await createAnsweredConversation(api.db, alice.user.id, twoTurns);
  const before = await stagesOf(alice.caller, conversationId);
  const doc = parseExport((await alice.caller.conversations.export({ id: conversationId, format: 'json' })).content);
  const [conversation] = doc.conversations;
  if (conversation) conversation.title = 'Bob took this';
  const { conversationIds } = await bob.caller.conversations.import({ data: doc });
  expect(conversationIds[0]).not.toBe(conversationId);
  expect(await stagesOf(alice.caller, conversationId)).toEqual(before);
  expect((await failureOf(alice.caller.conversations.get({ id: conversationIds[0] ?? '' }))).code).toBe('NOT_FOUND');
  expect((await alice.caller.conversations.search({ query: 'took' })).items).toEqual([]);
  expect((await bob.caller.conversations.search({ query: 'took' })).items).toHaveLength(1);
});
