import { runEventsChannel } from '@llm-council/api';
import { createDb, type Notifications } from '@llm-council/db';
import { isUsingRealPostgres } from '@llm-council/db/testing';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import {
  COUNCIL,
  TITLE_MODEL,
  councilEnv,
  councilReply,
  followToEnd,
  signUpWithKey,
  sleep,
  startCouncilTestbed,
  waitUntil,
  type CouncilTestbed,
} from './helpers/council-harness.js';
import { startTestServer, testSecrets, type TestServer } from './helpers/test-server.js';

// Two hosts on one PostgreSQL database: a run executes on the host that started it, and
// LISTEN/NOTIFY lets a subscriber — or a cancel — on the other host reach it. PGlite has a
// single process by design, so these tests run only with TEST_DATABASE_URL.

const isPostgres = isUsingRealPostgres();
let bed: CouncilTestbed; // host A, with the fake upstream
let hostB: TestServer;
let hostBNotifications: Notifications;

beforeAll(async () => {
  if (!isPostgres) return;
  const secrets = testSecrets(); // both hosts must sign and encrypt alike
  bed = await startCouncilTestbed({ env: secrets });
  const url = bed.server.dbHandle.url;
  if (!url) throw new Error('expected a PostgreSQL test database');
  const handle = await createDb({ databaseUrl: url, dataDir: 'memory://' });
  if (!handle.notifications) throw new Error('expected LISTEN/NOTIFY on PostgreSQL');
  hostBNotifications = handle.notifications;
  hostB = await startTestServer({ env: { ...councilEnv(bed.upstream.url), ...secrets }, dbHandle: { ...handle, url } });
});
afterEach(() => bed?.upstream.reset());
afterAll(async () => {
  if (!isPostgres) return;
  await hostB.close();
  await hostB.dbHandle.close();
  await bed.close();
});

function streamingCouncil(words: number, tokenDelayMs: number): void {
  const answer = Array.from({ length: words }, (_, i) => `w${i}`).join(' ');
  for (const model of COUNCIL)
    bed.upstream.setBehavior(model, { tokenDelayMs, reply: councilReply({ answer: () => answer }) });
}

test.skipIf(!isPostgres)(
  'a run started on host A is followed live, event for event, by a subscriber on host B',
  async () => {
    streamingCouncil(30, 15);
    const user = await signUpWithKey(bed.server);
    const onB = user.clientFor(hostB);
    const { runId } = await user.client.council.start.mutate({
      conversationId: user.conversationId,
      content: 'Across hosts?',
    });

    const [fromB, fromA] = await Promise.all([followToEnd(onB, runId), followToEnd(user.client, runId)]);

    const row = await bed.server.db
      .selectFrom('councilRuns')
      .select('host')
      .where('id', '=', runId)
      .executeTakeFirstOrThrow();
    expect(row.host).toBe(bed.server.config.hostId); // it executed on A …
    expect(row.host).not.toBe(hostB.config.hostId);
    // … and B saw exactly what A saw, in order, ending with completion.
    const strip = (events: typeof fromA) => events.map(({ receivedAt: _receivedAt, ...envelope }) => envelope);
    expect(strip(fromB)).toEqual(strip(fromA));
    expect(fromB.map((e) => e.seq)).toEqual(fromB.map((_, i) => i + 1));
    expect(fromB.at(-1)?.event.type).toBe('run_completed');
    // Live, not replayed at the end: B received the first delta well before the last answer.
    const firstDelta = fromB.find((e) => e.event.type === 'model_delta')!;
    const lastAnswer = fromB.filter((e) => e.event.type === 'model_completed' && e.event.stage === 'stage1').at(-1)!;
    expect(lastAnswer.receivedAt - firstDelta.receivedAt).toBeGreaterThanOrEqual(200);
    expect(Math.abs(fromB.at(-1)!.receivedAt - fromA.at(-1)!.receivedAt)).toBeLessThan(1_000);
  },
);

test.skipIf(!isPostgres)(
  'council.cancel sent to host B stops the run executing on host A within a second',
  async () => {
    streamingCouncil(400, 25);
    bed.upstream.setBehavior(TITLE_MODEL, { hang: true });
    const user = await signUpWithKey(bed.server);
    const onB = user.clientFor(hostB);
    const { runId } = await user.client.council.start.mutate({
      conversationId: user.conversationId,
      content: 'Stop from afar',
    });
    await waitUntil(() => bed.upstream.openRequests === 4, 5_000, 'four open upstream requests');
    const followed = followToEnd(onB, runId);
    await sleep(100);

    await onB.council.cancel.mutate({ runId });
    const closedWithin = await waitUntil(() => bed.upstream.openRequests === 0, 1_000, 'upstream requests to close');
    expect(closedWithin).toBeLessThan(1_000);

    const events = await followed;
    expect(events.at(-1)?.event.type).toBe('run_cancelled');
    expect((await onB.council.get.query({ runId })).status).toBe('cancelled');
    expect((await user.client.council.get.query({ runId })).status).toBe('cancelled');
  },
);

test.skipIf(!isPostgres)(
  'under load, subscribers on host B follow 20 concurrent runs on host A event for event, long answers included',
  async () => {
    streamingCouncil(300, 10);
    // One model's answer is too long for a notification: host B reads that batch from the log.
    const long = Array.from({ length: 2_500 }, (_, i) => `long${i}`).join(' ');
    bed.upstream.setBehavior(COUNCIL[2], { tokenDelayMs: 1, reply: councilReply({ answer: () => long }) });
    const users = await Promise.all(Array.from({ length: 7 }, () => signUpWithKey(bed.server)));
    const runs = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const user = users[i % users.length]!;
        const { id } = await user.client.conversations.create.mutate({});
        const { runId } = await user.client.council.start.mutate({ conversationId: id, content: `Load ${i}?` });
        return { user, runId };
      }),
    );
    const followed = await Promise.all(
      runs.map(async ({ user, runId }) => ({
        user,
        runId,
        fromB: await followToEnd(user.clientFor(hostB), runId, { timeoutMs: 60_000 }),
      })),
    );
    for (const { user, runId, fromB } of followed) {
      const stored = await followToEnd(user.client, runId);
      const strip = (events: typeof fromB) => events.map(({ receivedAt: _receivedAt, ...envelope }) => envelope);
      expect(strip(fromB)).toEqual(strip(stored));
      expect(fromB.map((e) => e.seq)).toEqual(fromB.map((_, i) => i + 1));
      expect(fromB.at(-1)?.event.type).toBe('run_completed');
      const longAnswer = fromB.find((e) => e.event.type === 'model_completed' && e.event.model === COUNCIL[2]);
      expect(longAnswer?.event.type === 'model_completed' && longAnswer.event.content).toBe(long);
    }
  },
);

test.skipIf(!isPostgres)(
  'a host hears only the runs somebody there follows, and stops listening when the last follower leaves',
  async () => {
    streamingCouncil(40, 25);
    const user = await signUpWithKey(bed.server);
    const onB = user.clientFor(hostB);

    // Followed on A only: B receives not one notification for it and never listens to its channel.
    const before = hostBNotifications.received;
    const { runId: unfollowed } = await user.client.council.start.mutate({
      conversationId: user.conversationId,
      content: 'Only A cares',
    });
    const seenOnA = await followToEnd(user.client, unfollowed);
    expect(seenOnA.at(-1)?.event.type).toBe('run_completed');
    expect(seenOnA.filter((e) => e.event.type === 'model_delta').length).toBeGreaterThan(3);
    expect(hostBNotifications.received - before).toBe(0);
    expect(hostBNotifications.channels).not.toContain(runEventsChannel(unfollowed));

    // Followed from B: B listens while it follows, hears the run, and lets go after its follower leaves.
    const { id } = await user.client.conversations.create.mutate({});
    const { runId: followed } = await user.client.council.start.mutate({ conversationId: id, content: 'B cares' });
    const seenOnB = followToEnd(onB, followed);
    await waitUntil(
      () => hostBNotifications.channels.includes(runEventsChannel(followed)),
      5_000,
      'host B to listen to the run it follows',
    );
    expect((await seenOnB).at(-1)?.event.type).toBe('run_completed');
    expect(hostBNotifications.received - before).toBeGreaterThan(0);
    await waitUntil(
      () => !hostBNotifications.channels.includes(runEventsChannel(followed)),
      10_000,
      'host B to stop listening once nobody there follows the run',
    );
  },
);
