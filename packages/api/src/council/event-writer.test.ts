import type { CouncilEvent, CouncilEventEnvelope } from '@llm-council/council';
import { createDb } from '@llm-council/db';
import { expect } from 'vitest';
import type { Logger } from '../ports.js';
import { createAnsweredConversation } from '../testing/council-records.js';
import { createUser } from '../testing/factories.js';
import { apiTest as test, type TestApi } from '../testing/test-api.js';
import { EventWriter, type PendingEvent } from './event-writer.js';

// The group-commit writer of run events, on a real database: what it stores, in which order, and
// what it does when a batch cannot be stored.

async function newRun(api: TestApi): Promise<string> {
  const user = await createUser(api.db);
  const { conversationId } = await createAnsweredConversation(api.db, user.id, {
    title: 'Events',
    turns: [{ question: 'Q', answers: { 'test/alpha': 'a', 'test/beta': 'b' }, final: 'F' }],
  });
  const run = await api.db
    .selectFrom('councilRuns')
    .select('id')
    .where('conversationId', '=', conversationId)
    .executeTakeFirstOrThrow();
  return run.id;
}

function pending(runId: string, seq: number, options: Partial<PendingEvent> = {}): PendingEvent {
  const event: CouncilEvent = { type: 'model_delta', stage: 'stage1', model: 'test/alpha', text: `t${seq}` };
  return { envelope: { runId, seq, at: new Date().toISOString(), event }, effect: null, isUrgent: false, ...options };
}

function writerFor(db: TestApi['db'], options: { retryWindowMs?: number; logger?: Logger } = {}) {
  const delivered: CouncilEventEnvelope[] = [];
  const warnings: string[] = [];
  const writer = new EventWriter({
    db,
    logger: options.logger ?? { info: () => {}, error: () => {}, warn: (_obj, msg) => void warnings.push(msg ?? '') },
    flushIntervalMs: () => 20,
    retryWindowMs: options.retryWindowMs ?? 1_000,
    notify: null,
    onStored: (envelopes) => void delivered.push(...envelopes),
  });
  return { writer, delivered, warnings };
}

async function storedSeqs(api: TestApi, runId: string): Promise<number[]> {
  const rows = await api.db
    .selectFrom('councilEvents')
    .select('seq')
    .where('runId', '=', runId)
    .orderBy('seq')
    .execute();
  return rows.map((row) => row.seq);
}

test('deltas of two runs queued in one tick are stored in one batch, contiguous per run, and delivered in order', async ({
  api,
}) => {
  const [a, b] = [await newRun(api), await newRun(api)];
  const { writer, delivered } = writerFor(api.db);
  const appends: Promise<void>[] = [];
  for (let seq = 1; seq <= 100; seq++) appends.push(writer.append(pending(a, seq)), writer.append(pending(b, seq)));
  await Promise.all(appends);
  const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1);
  expect(await storedSeqs(api, a)).toEqual(oneToHundred);
  expect(await storedSeqs(api, b)).toEqual(oneToHundred);
  expect(writer.stats).toMatchObject({ batches: 1, events: 200, retries: 0 });
  expect(delivered.filter((e) => e.runId === a).map((e) => e.seq)).toEqual(oneToHundred);
  await writer.close();
});

test('a table effect commits with its events: when it fails, that run stores nothing and is refused from then on; another run in the batch is stored', async ({
  api,
}) => {
  const [broken, healthy] = [await newRun(api), await newRun(api)];
  const { writer, delivered } = writerFor(api.db);
  const failing = (): Promise<void> => Promise.reject(new Error('the answer row cannot be written'));
  const outcomes = await Promise.allSettled([
    writer.append(pending(broken, 1)),
    writer.append(pending(healthy, 1)),
    writer.append(pending(broken, 2, { isUrgent: true, effect: failing })),
    writer.append(pending(healthy, 2, { isUrgent: true })),
  ]);
  expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'fulfilled', 'rejected', 'fulfilled']);
  expect(await storedSeqs(api, broken)).toEqual([]);
  expect(await storedSeqs(api, healthy)).toEqual([1, 2]);
  expect(delivered.map((e) => `${e.runId === broken ? 'broken' : 'healthy'}:${e.seq}`)).toEqual([
    'healthy:1',
    'healthy:2',
  ]);
  // Its later events could never be stored in order: refused at once, nothing written.
  await expect(writer.append(pending(broken, 3, { isUrgent: true }))).rejects.toThrow(
    'the answer row cannot be written',
  );
  expect(await storedSeqs(api, broken)).toEqual([]);
  await writer.close();
});

test('while the database cannot be reached a batch is retried for the retry window, then the run is failed for good', async ({
  api,
}) => {
  const runId = await newRun(api);
  // A PostgreSQL nobody listens for: every statement fails as a connection error.
  const unreachable = await createDb({
    databaseUrl: 'postgres://postgres@127.0.0.1:9/none',
    dataDir: 'memory://',
    connectTimeoutMs: 200,
  });
  try {
    const { writer, delivered, warnings } = writerFor(unreachable.db, { retryWindowMs: 600 });
    await expect(writer.append(pending(runId, 1, { isUrgent: true }))).rejects.toThrow();
    expect(writer.stats.retries).toBeGreaterThanOrEqual(1);
    expect(warnings).toContain('storing run events failed; retrying');
    expect(delivered).toEqual([]);
    const retriesBefore = writer.stats.retries;
    await expect(writer.append(pending(runId, 2, { isUrgent: true }))).rejects.toThrow();
    expect(writer.stats.retries).toBe(retriesBefore); // refused at once: no new attempt for a failed run
    await writer.close();
  } finally {
    await unreachable.close();
  }
  expect(await storedSeqs(api, runId)).toEqual([]);
});
