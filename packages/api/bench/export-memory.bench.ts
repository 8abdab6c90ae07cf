/**
 * `pnpm --filter @llm-council/api bench:export`: the heap `account.exportAll` needs for an account
 * with a large history, the one-string way it was built before issue 17 and page by page as now.
 * PGlite in memory. Seeds CONVERSATIONS (argv[2], default 1,000) conversations of ~BYTES_PER_CONVERSATION stored text, then reports heap used above
 * a post-GC baseline at its highest sample: the live heap, sampled after each part (or the one string).
 */
import { randomBytes } from 'node:crypto';
import { createDb, migrateToLatest } from '@llm-council/db';
import { EXPORT_FORMAT, EXPORT_VERSION } from '../src/portability/export-format.js';
import { readAccountForExport, readConversationsForExport } from '../src/portability/export.repository.js';
import { exportAccountPage } from '../src/portability/export.service.js';
import { createAnsweredConversation } from '../src/testing/council-records.js';
import { createUser } from '../src/testing/factories.js';

const CONVERSATIONS = Number(process.argv[2] ?? 1_000);
const BYTES_PER_CONVERSATION = 20_000;

const { gc } = globalThis as { gc?: () => void };
if (!gc) throw new Error('run with node --expose-gc (the package script does)');
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

const handle = await createDb({ dataDir: 'memory://' });
await migrateToLatest(handle.db);
const user = await createUser(handle.db);
const text = (bytes: number) => randomBytes(bytes / 2).toString('hex');
const part = BYTES_PER_CONVERSATION / 5;
for (let i = 0; i < CONVERSATIONS; i++) {
  const answers = { 'bench/a': text(part), 'bench/b': text(part), 'bench/c': text(part) };
  await createAnsweredConversation(handle.db, user.id, {
    title: `Conversation ${i}`,
    turns: [{ question: text(part), answers, final: text(part), at: new Date(Date.UTC(2026, 0, 1) + i * 60_000) }],
  });
}

/**
 * Runs `steps`; after each, with what it yielded still held (as a response would be), collects
 * garbage and samples heap used: the highest sample above the baseline is the live peak.
 */
async function peakHeap(steps: AsyncGenerator<string>): Promise<{ peak: number; bytes: number }> {
  gc?.();
  const baseline = process.memoryUsage().heapUsed;
  let peak = 0;
  let bytes = 0;
  for await (const content of steps) {
    gc?.();
    peak = Math.max(peak, process.memoryUsage().heapUsed - baseline);
    bytes += Buffer.byteLength(content);
  }
  return { peak, bytes };
}

const now = new Date();
// Before: every row of the account read at once, then one JSON string of it all.
const before = await peakHeap(
  (async function* () {
    const document = {
      format: EXPORT_FORMAT,
      version: EXPORT_VERSION,
      exportedAt: now.toISOString(),
      account: await readAccountForExport(handle.db, user.id),
      conversations: await readConversationsForExport(handle.db, user.id, { after: null, limit: 1e9 }),
    };
    yield JSON.stringify(document, null, 2);
  })(),
);
// After: one page at a time, each part sent (here: dropped) before the next is read.
const after = await peakHeap(
  (async function* () {
    let cursor: string | null = null;
    do {
      const page = await exportAccountPage(handle.db, user.id, cursor, now);
      cursor = page.nextCursor;
      yield page.content;
    } while (cursor);
  })(),
);
console.log(
  `${handle.engine}, ${CONVERSATIONS} conversations, export ${mib(before.bytes)} (paged: ${mib(after.bytes)})`,
);
console.log(`heap used above baseline, highest sample: one string ${mib(before.peak)}, paged ${mib(after.peak)}`);
await handle.close();
