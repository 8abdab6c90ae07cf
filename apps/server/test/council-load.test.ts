import type { RunEventEnvelope } from '@llm-council/sdk';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  COUNCIL,
  councilReply,
  followToEnd,
  signUpWithKey,
  startCouncilTestbed,
  subscribeUntil,
  type CouncilTestbed,
} from './helpers/council-harness.js';

// The event pipeline under load: many runs streaming long answers at once, and subscribers that
// drop at random points and resume with their last event id. Every subscriber must end up with
// the run's whole log — every event once, in order — and the deltas must add up to the answers.

let bed: CouncilTestbed;

beforeAll(async () => {
  bed = await startCouncilTestbed({ env: { MAX_CONCURRENT_RUNS_PER_USER: '10' } });
  const answer = Array.from({ length: 300 }, (_, i) => `word${i}`).join(' ');
  for (const model of COUNCIL)
    bed.upstream.setBehavior(model, { tokenDelayMs: 10, reply: councilReply({ answer: () => answer }) });
});
afterAll(async () => {
  await bed.close();
});

/** A small seeded generator, so a failure can be replayed exactly. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

type Client = Awaited<ReturnType<typeof signUpWithKey>>['client'];

/** Subscribes, leaves after `dropAfter` events, then follows again from the last one it saw. */
async function followWithDrop(client: Client, runId: string, dropAfter: number) {
  const { received: before, hasLeft } = await subscribeUntil(
    client,
    runId,
    (received) => received.length === dropAfter,
  );
  const lastEventId = before.at(-1) ? String(before.at(-1)?.seq) : undefined;
  const after = hasLeft
    ? await followToEnd(client, runId, { timeoutMs: 60_000, ...(lastEventId ? { lastEventId } : {}) })
    : [];
  return {
    events: [...before, ...after.map(({ receivedAt: _receivedAt, ...envelope }) => envelope)],
    hasResumed: hasLeft,
  };
}

/** The text each model streamed, joined from its deltas, next to the answer it completed with. */
function deltasAndAnswers(events: RunEventEnvelope[]) {
  const joined = new Map<string, string>();
  const answers = new Map<string, string>();
  for (const { event } of events) {
    if (event.type === 'model_delta') {
      const key = `${event.stage}:${event.model}`;
      joined.set(key, (joined.get(key) ?? '') + event.text);
    }
    if (event.type === 'model_completed') answers.set(`${event.stage}:${event.model}`, event.content);
  }
  return { joined, answers };
}

test('50 subscriptions dropped and resumed at random points during 20 concurrent long runs each get every event once, in order', async () => {
  const random = seededRandom(20261126);
  const users = await Promise.all(Array.from({ length: 10 }, () => signUpWithKey(bed.server)));
  const runs = await Promise.all(
    Array.from({ length: 20 }, async (_, i) => {
      const user = users[i % users.length]!;
      const { id } = await user.client.conversations.create.mutate({});
      const { runId } = await user.client.council.start.mutate({ conversationId: id, content: `Long question ${i}?` });
      return { user, runId };
    }),
  );
  // 50 subscribers: 2 or 3 on every run, each dropping after 1 to 40 events (a run has over 40
  // even when the server widens its delta interval under load).
  const followers = Array.from({ length: 50 }, (_, i) => {
    const { user, runId } = runs[i % runs.length]!;
    const dropAfter = 1 + Math.floor(random() * 40);
    return followWithDrop(user.client, runId, dropAfter).then((outcome) => ({ runId, user, ...outcome }));
  });
  const followed = await Promise.all(followers);
  // Every drop happened mid-run: each subscriber really left and came back.
  expect(followed.filter(({ hasResumed }) => !hasResumed)).toEqual([]);

  for (const { runId, user, events } of followed) {
    const stored = (await followToEnd(user.client, runId)).map(({ receivedAt: _receivedAt, ...envelope }) => envelope);
    expect(stored.at(-1)?.event.type).toBe('run_completed');
    expect(events.map((e) => e.seq)).toEqual(stored.map((_, index) => index + 1));
    expect(events).toEqual(stored);
    const { joined, answers } = deltasAndAnswers(events);
    expect(answers.size).toBe(COUNCIL.length + 1); // the council and the chairman
    for (const [key, answer] of answers) expect(joined.get(key), key).toBe(answer);
  }
});
