import { randomBytes } from 'node:crypto';
import { AttachmentError, type CouncilClient } from '@llm-council/sdk';
import { expect } from 'vitest';
import { signUpWithKey } from './helpers/council-harness.js';
import { councilTest } from './helpers/fixtures.js';

// Uploads count against the per-user storage cap imports use (USER_STORAGE_MAX_MB, here 1 MB),
// decided under the same lock, so uploads sent at once cannot together pass it. Uploads never
// attached to a question expire after a day.

const test = councilTest({ env: { USER_STORAGE_MAX_MB: '1' } });

const KB = 1024;

/** A text file of `bytes` distinct bytes (hex), so no two are stored as one. */
const textFile = (bytes: number) => new Blob([randomBytes(bytes / 2).toString('hex')]);

async function outcome(client: CouncilClient, file: Blob, name: string): Promise<string> {
  try {
    await client.uploadAttachment(file, name);
    return 'stored';
  } catch (error) {
    if (error instanceof AttachmentError) return `${error.status} ${error.code}`;
    throw error;
  }
}

test('parallel uploads cannot together pass the storage cap; the refusal names the file and the cap', async ({
  bed,
}) => {
  const { client } = await signUpWithKey(bed.server);
  const outcomes = await Promise.all(
    Array.from({ length: 4 }, (_, i) => outcome(client, textFile(400 * KB), `part${i}.txt`)),
  );
  // 400 KB each under 1 MB: two fit, whichever two came first.
  expect(outcomes.filter((o) => o === 'stored')).toHaveLength(2);
  expect(outcomes.filter((o) => o === '403 STORAGE_LIMIT_REACHED')).toHaveLength(2);

  const refused = await client.uploadAttachment(textFile(400 * KB), 'more.txt').catch((e: unknown) => e);
  expect((refused as AttachmentError).message).toMatch(
    /^The file "more\.txt" \(0\.4 MB\) does not fit: you store 0\.8 MB of at most 1\.0 MB\. Delete conversations to make room\.$/,
  );
});

test('the same bytes uploaded again take no more room; expired unattached uploads are deleted', async ({ bed }) => {
  const { client, userId } = await signUpWithKey(bed.server);
  const file = textFile(600 * KB);
  const first = await client.uploadAttachment(file, 'a.txt');
  const second = await client.uploadAttachment(file, 'b.txt');
  expect(second.id).not.toBe(first.id);
  const blobs = () =>
    bed.server.db.selectFrom('attachmentBlobs').select('sha256').where('userId', '=', userId).execute();
  expect(await blobs()).toHaveLength(1);

  // A day later neither was attached: the next upload clears them (and their bytes) first.
  bed.server.advanceClock(25 * 3600);
  try {
    await client.uploadAttachment(textFile(600 * KB), 'c.txt');
  } finally {
    bed.server.advanceClock(-25 * 3600);
  }
  const left = await bed.server.db.selectFrom('attachments').select('name').where('userId', '=', userId).execute();
  expect(left.map((a) => a.name)).toEqual(['c.txt']);
  expect(await blobs()).toHaveLength(1);
});
