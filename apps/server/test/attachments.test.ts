import { AttachmentError, type Attachment, type CouncilClient } from '@llm-council/sdk';
import { expect } from 'vitest';
import { CHAIRMAN, COUNCIL, signUpWithKey, visionCatalogue, waitForRunStatus } from './helpers/council-harness.js';
import { councilTest } from './helpers/fixtures.js';
import { imageBytes, pdfBytes } from './helpers/files.js';
import { STRONG_PASSWORD } from './helpers/test-server.js';

// Issue 22 §2: uploads over POST /api/attachments, kinds read from the bytes, every refusal a 4xx
// naming the file and the limit, `council.start({ attachmentIds })` with owner checks, and the wire
// format the fake upstream receives: images only to the model whose catalogue lists image input.

const [VISION, TEXT_ONLY, THIRD] = COUNCIL;
const test = councilTest({ upstream: { models: visionCatalogue } });

const MB = 1024 * 1024;

async function upload(client: CouncilClient, bytes: Buffer, name: string): Promise<Attachment> {
  return client.uploadAttachment(new Blob([bytes]), name);
}

async function refusal(promise: Promise<unknown>): Promise<AttachmentError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AttachmentError);
  return error as AttachmentError;
}

test('each kind is read from its bytes, whatever its name says', async ({ bed }) => {
  const { client } = await signUpWithKey(bed.server);
  const text = await upload(client, Buffer.from('export const answer = 42;\n'), 'answer.ts');
  expect(text).toEqual({
    id: expect.any(String) as string,
    name: 'answer.ts',
    kind: 'text',
    mediaType: 'text/plain',
    size: 26,
    textChars: 26,
  });
  const pdf = await upload(client, pdfBytes({ pages: [['Clause 7: the tenant pays.'], ['Page two.']] }), 'lease.pdf');
  expect(pdf).toMatchObject({ kind: 'pdf', mediaType: 'application/pdf' });
  expect(pdf.textChars).toBeGreaterThan('Clause 7: the tenant pays.'.length);
  for (const [kind, mediaType] of [
    ['png', 'image/png'],
    ['jpeg', 'image/jpeg'],
    ['gif', 'image/gif'],
    ['webp', 'image/webp'],
  ] as const) {
    // Named .txt: the bytes say image.
    expect(await upload(client, imageBytes(kind), `shot-${kind}.txt`)).toMatchObject({
      kind: 'image',
      mediaType,
      textChars: 0,
    });
  }
  // A path in the name is cut to its last segment.
  expect((await upload(client, Buffer.from('a,b\n1,2\n'), '../../etc/data.csv')).name).toBe('data.csv');
});

test('wrong type, empty, oversized, broken, encrypted and image-only files are refused naming the file and the limit', async ({
  bed,
}) => {
  const { client } = await signUpWithKey(bed.server);
  const binary = await refusal(upload(client, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3]), 'notes.txt'));
  expect(binary.status).toBe(415);
  expect(binary.message).toMatch(
    /"notes\.txt" cannot be attached: it is a binary file\. Attach text or code \(UTF-8, up to 1 MB\)/,
  );
  const latin1 = await refusal(upload(client, Buffer.from('caf\xe9', 'latin1'), 'menu.txt'));
  expect(latin1.status).toBe(415);

  const empty = await refusal(upload(client, Buffer.alloc(0), 'empty.md'));
  expect([empty.status, empty.message]).toEqual([400, '"empty.md" is empty']);

  const bigText = await refusal(upload(client, Buffer.alloc(MB + 1, 'a'), 'big.log'));
  expect([bigText.status, bigText.message]).toEqual([413, '"big.log" is 1 MB; a text file may be at most 1 MB']);
  const huge = await refusal(upload(client, imageBytes('png', 10 * MB + 1), 'huge.png'));
  expect([huge.status, huge.message]).toEqual([413, '"huge.png" is larger than 10 MB, the most a file may be']);

  const broken = await refusal(upload(client, Buffer.from('%PDF-1.4\nnot really a pdf'), 'broken.pdf'));
  expect([broken.status, broken.message]).toEqual([
    422,
    '"broken.pdf" cannot be read: it could not be read as a PDF (broken or unsupported)',
  ]);
  const locked = await refusal(upload(client, pdfBytes({ encrypt: true }), 'locked.pdf'));
  expect([locked.status, locked.message]).toEqual([
    422,
    '"locked.pdf" cannot be read: it is encrypted (password-protected); save an unprotected copy',
  ]);
  const scanned = await refusal(upload(client, pdfBytes({ pages: [[]] }), 'scan.pdf'));
  expect([scanned.status, scanned.message]).toEqual([
    422,
    '"scan.pdf" cannot be read: it has no text to read (a scanned or image-only PDF)',
  ]);
  const stored = await bed.server.db.selectFrom('attachments').select('id').execute();
  expect(stored.every((row) => typeof row.id === 'string')).toBe(true);
});

test('uploads need a session or a token with the council scope, and a multipart file field', async ({ bed }) => {
  const { client } = await signUpWithKey(bed.server);
  const form = new FormData();
  form.append('file', new Blob(['hello']), 'a.txt');
  const signedOut = await fetch(`${bed.server.url}/api/attachments`, { method: 'POST', body: form });
  expect(signedOut.status).toBe(401);

  const { token: readOnly } = await client.tokens.create.mutate({
    name: 'read',
    scopes: ['read'],
    password: STRONG_PASSWORD,
  });
  const withRead = await fetch(`${bed.server.url}/api/attachments`, {
    method: 'POST',
    body: form,
    headers: { Authorization: `Bearer ${readOnly}` },
  });
  expect(withRead.status).toBe(403);
  expect(((await withRead.json()) as { error: { message: string } }).error.message).toBe(
    'This access token lacks the "council" scope',
  );
  const { token } = await client.tokens.create.mutate({
    name: 'council',
    scopes: ['council'],
    password: STRONG_PASSWORD,
  });
  const withCouncil = await fetch(`${bed.server.url}/api/attachments`, {
    method: 'POST',
    body: form,
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(withCouncil.status).toBe(201);

  const notMultipart = await fetch(`${bed.server.url}/api/attachments`, {
    method: 'POST',
    body: JSON.stringify({ file: 'hello' }),
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
  });
  expect(notMultipart.status).toBe(400);
  const wrongField = new FormData();
  wrongField.append('upload', new Blob(['hello']), 'a.txt');
  const misnamed = await fetch(`${bed.server.url}/api/attachments`, {
    method: 'POST',
    body: wrongField,
    headers: { Authorization: `Bearer ${token}` },
  });
  expect([misnamed.status, ((await misnamed.json()) as { error: { message: string } }).error.message]).toEqual([
    400,
    'Send one file, in a field named "file"',
  ]);
});

test('the image goes only to the vision model, the PDF and code text to every answer, a note to the text-only model', async ({
  bed,
}) => {
  const user = await signUpWithKey(bed.server);
  const pdf = await upload(user.client, pdfBytes({ pages: [['Clause 7: the tenant pays.']] }), 'lease.pdf');
  const code = await upload(user.client, Buffer.from('const rent = 1200;\n'), 'rent.ts');
  const png = imageBytes('png', 300);
  const image = await upload(user.client, png, 'error.png');
  const { runId, messageId } = await user.client.council.start.mutate({
    conversationId: user.conversationId,
    content: 'Who pays the rent, and what does the screenshot show?',
    models: [VISION, TEXT_ONLY],
    attachmentIds: [pdf.id, code.id, image.id],
  });
  await waitForRunStatus(user.client, runId, ['completed']);

  const answers = bed.upstream.requests.filter(
    (r) => r.messages.at(-1)?.content.startsWith('Who pays the rent') && r.model !== CHAIRMAN,
  );
  const vision = answers.find((r) => r.model === VISION);
  const textOnly = answers.find((r) => r.model === TEXT_ONLY);
  expect(vision?.contentParts).toEqual([
    { role: 'user', type: 'text', chars: expect.any(Number) as number },
    { role: 'user', type: 'image_url', mediaType: 'image/png', bytes: png.length },
  ]);
  expect(textOnly?.contentParts).toEqual([]);
  for (const request of [vision, textOnly]) {
    const question = request?.messages.at(-1)?.content ?? '';
    expect(question).toContain('Clause 7: the tenant pays.');
    expect(question).toContain('const rent = 1200;');
  }
  expect(textOnly?.messages.at(-1)?.content).toContain(
    'the image "error.png" was attached, but this model cannot see images',
  );
  // No image reached any other call (reviews, chairman, title).
  const withImages = bed.upstream.requests.filter((r) => r.contentParts.some((p) => p.type === 'image_url'));
  expect(withImages.map((r) => r.model)).toEqual([VISION]);

  // The question shows its attachments, in order.
  const conversation = await user.client.conversations.get.query({ id: user.conversationId });
  const question = conversation.messages.find((m) => m.id === messageId);
  expect(question?.attachments?.map((a) => [a.name, a.kind])).toEqual([
    ['lease.pdf', 'pdf'],
    ['rent.ts', 'text'],
    ['error.png', 'image'],
  ]);
  // Its owner can fetch the image back; nobody else can.
  const blob = await user.client.downloadAttachment(image.id);
  expect(Buffer.from(await blob.arrayBuffer()).equals(png)).toBe(true);
  const stranger = await signUpWithKey(bed.server);
  expect((await refusal(stranger.client.downloadAttachment(image.id))).status).toBe(404);
});

test("another user's upload, an unknown id or one already attached is refused, and nothing is created", async ({
  bed,
}) => {
  const owner = await signUpWithKey(bed.server);
  const other = await signUpWithKey(bed.server);
  const theirs = await upload(owner.client, Buffer.from('private notes'), 'notes.txt');
  const countMessages = async () =>
    (await other.client.conversations.get.query({ id: other.conversationId })).messages.length;

  const foreign = await other.client.council.start
    .mutate({ conversationId: other.conversationId, content: 'Summarise', attachmentIds: [theirs.id] })
    .catch((e: unknown) => e as Error);
  expect((foreign as Error).message).toBe(`Attachment ${theirs.id} not found (upload it again)`);
  const unknown = await other.client.council.start
    .mutate({ newConversation: {}, content: 'Summarise', attachmentIds: ['00000000-0000-4000-8000-000000000000'] })
    .catch((e: unknown) => e as Error);
  expect((unknown as Error).message).toMatch(/^Attachment 00000000-0000-4000-8000-000000000000 not found/);
  expect(await countMessages()).toBe(0);
  const conversations = await other.client.conversations.list.query({});
  expect(conversations.items.map((c) => c.id)).toEqual([other.conversationId]);

  const { runId } = await owner.client.council.start.mutate({
    conversationId: owner.conversationId,
    content: 'Summarise',
    attachmentIds: [theirs.id],
  });
  await waitForRunStatus(owner.client, runId, ['completed']);
  const again = await owner.client.council.start
    .mutate({ conversationId: owner.conversationId, content: 'Again', attachmentIds: [theirs.id] })
    .catch((e: unknown) => e as Error);
  expect((again as Error).message).toBe(
    '"notes.txt" is already attached to another question; upload it again to attach it here',
  );
});

test('a question carries at most 10 attachments and 20 MB', async ({ bed }) => {
  const user = await signUpWithKey(bed.server);
  const eleven = await Promise.all(
    Array.from({ length: 11 }, (_, i) => upload(user.client, Buffer.from(`file ${i}`), `f${i}.txt`)),
  );
  const tooMany = await user.client.council.start
    .mutate({ conversationId: user.conversationId, content: 'Q', attachmentIds: eleven.map((a) => a.id) })
    .catch((e: unknown) => e as Error);
  expect((tooMany as Error).message).toBe('attachmentIds: A question carries at most 10 attachments');

  const images = [];
  for (let i = 0; i < 3; i++) images.push(await upload(user.client, imageBytes('jpeg', 7 * MB), `photo${i}.jpg`));
  const tooBig = await user.client.council.start
    .mutate({ conversationId: user.conversationId, content: 'Q', attachmentIds: images.map((a) => a.id) })
    .catch((e: unknown) => e as Error);
  expect((tooBig as Error).message).toBe('The attachments of one question are at most 20 MB together; these are 21 MB');
  expect((await user.client.conversations.get.query({ id: user.conversationId })).messages).toEqual([]);
});

test("the run's budget reservation grows with its attachments", async ({ bed }) => {
  const user = await signUpWithKey(bed.server);
  const reservedFor = async (attachmentIds: string[]) => {
    const { runId } = await user.client.council.start.mutate({
      newConversation: {},
      content: 'What does this say?',
      attachmentIds,
    });
    await waitForRunStatus(user.client, runId, ['completed']);
    const row = await bed.server.db
      .selectFrom('councilRuns')
      .select('reservedTokens')
      .where('id', '=', runId)
      .executeTakeFirstOrThrow();
    return row.reservedTokens ?? 0;
  };
  const none = await reservedFor([]);
  const text = await upload(user.client, Buffer.from('word '.repeat(3_000)), 'words.txt');
  const withText = await reservedFor([text.id]);
  // 15,000 characters read by three answers and the chairman: about 5,000 tokens each.
  expect(withText - none).toBeGreaterThan(4 * 5_000);
  const image = await upload(user.client, imageBytes('png'), 'one.png');
  const withImage = await reservedFor([image.id]);
  expect(withImage).toBeGreaterThan(none);
  void THIRD;
});
