import { runCleanup } from '@llm-council/api';
import { sql } from 'kysely';
import { expect } from 'vitest';
import { councilTest } from './helpers/fixtures.js';
import {
  COUNCIL,
  CHAIRMAN,
  councilReply,
  followToEnd,
  signUpWithKey,
  waitForRunStatus,
} from './helpers/council-harness.js';

// Hole 10 of issue 9: the periodic cleanup (CLEANUP_INTERVAL_MINUTES, DELTA_RETENTION_DAYS)
// removes ended refresh-token families, rate-limit counters whose window is over, and the
// streamed deltas of runs finished past the retention — while every answer stays readable.

const test = councilTest();
const DAY_MS = 86_400_000;

test('cleanup drops old deltas, ended refresh families and stale counters; answers and live rows stay', async ({
  bed,
}) => {
  const answer = Array.from({ length: 60 }, (_, i) => `part${i}`).join(' ');
  for (const model of COUNCIL) bed.upstream.setBehavior(model, { reply: councilReply({ answer: () => answer }) });
  bed.upstream.setBehavior(CHAIRMAN, { reply: () => answer });
  const { client, userId, conversationId } = await signUpWithKey(bed.server);
  const { runId: oldRun } = await client.council.start.mutate({ conversationId, content: 'Old question?' });
  await waitForRunStatus(client, oldRun, ['completed']);
  const { runId: newRun } = await client.council.start.mutate({ conversationId, content: 'New question?' });
  await waitForRunStatus(client, newRun, ['completed']);
  const before = await client.conversations.get.query({ id: conversationId });

  const { db } = bed.server;
  const now = new Date();
  // The first run finished 31 days ago (retention 30); the second just now.
  await db
    .updateTable('councilRuns')
    .set({ finishedAt: new Date(now.getTime() - 31 * DAY_MS) })
    .where('id', '=', oldRun)
    .execute();
  // A second session whose family ended two days ago, beside the live one.
  const [live] = await db.selectFrom('refreshTokens').selectAll().where('userId', '=', userId).execute();
  if (!live) throw new Error('expected the sign-up session');
  await db
    .insertInto('refreshTokens')
    .values({
      userId,
      familyId: crypto.randomUUID(),
      tokenHash: 'ended-family',
      parentId: null,
      expiresAt: new Date(now.getTime() - 2 * DAY_MS),
      sessionEpoch: live.sessionEpoch,
    })
    .execute();
  // Counters: one whose window ended long ago, one still counting.
  await db
    .insertInto('rateLimits')
    .values([
      { key: 'cleanup-test:stale', windowStart: new Date(now.getTime() - 3 * DAY_MS), count: 5 },
      { key: 'cleanup-test:live', windowStart: now, count: 1 },
    ])
    .execute();

  const deltasOf = async (runId: string) =>
    (
      await db
        .selectFrom('councilEvents')
        .select(sql<number>`count(*)`.as('n'))
        .where('runId', '=', runId)
        .where('type', '=', 'model_delta')
        .executeTakeFirstOrThrow()
    ).n;
  expect(await deltasOf(oldRun)).toBeGreaterThan(0);
  const newRunDeltas = await deltasOf(newRun);
  expect(newRunDeltas).toBeGreaterThan(0);

  const removed = await runCleanup(db, bed.server.config.api, now);

  expect(removed.refreshTokens).toBe(1);
  expect(removed.rateLimits).toBeGreaterThanOrEqual(1);
  expect(removed.deltaEvents).toBeGreaterThan(0);
  expect(await deltasOf(oldRun)).toBe(0);
  expect(await deltasOf(newRun)).toBe(newRunDeltas);
  const tokens = await db.selectFrom('refreshTokens').select('tokenHash').where('userId', '=', userId).execute();
  expect(tokens.map((t) => t.tokenHash)).toEqual([live.tokenHash]);
  const counters = await db.selectFrom('rateLimits').select('key').where('key', 'like', 'cleanup-test:%').execute();
  expect(counters.map((c) => c.key)).toEqual(['cleanup-test:live']);

  // The old run reloads as it was and still replays to its end, every answer whole.
  // (All but the finish time this test moved back.)
  const withoutFinish = (c: typeof before) => ({ ...c, runs: c.runs.map(({ finishedAt: _, ...run }) => run) });
  expect(withoutFinish(await client.conversations.get.query({ id: conversationId }))).toEqual(withoutFinish(before));
  const replay = await followToEnd(client, oldRun, { maxLagMs: Number.POSITIVE_INFINITY });
  expect(replay.at(-1)?.event.type).toBe('run_completed');
  const chairman = replay.find((e) => e.event.type === 'model_completed' && e.event.stage === 'stage3');
  expect(chairman?.event).toMatchObject({ content: answer });
  // The session that was kept still works.
  await expect(client.auth.me.query()).resolves.toMatchObject({ id: userId });
});
