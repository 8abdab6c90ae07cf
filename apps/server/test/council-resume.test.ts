import { expect } from 'vitest';
import { councilTest } from './helpers/fixtures.js';
import {
  COUNCIL,
  councilReply,
  followToEnd,
  requestsOf,
  signUpWithKey,
  sleep,
  subscribeUntil,
  waitForRunStatus,
  waitUntil,
  type CouncilTestbed,
  startBusyRun,
} from './helpers/council-harness.js';

// Streaming lifecycle: resuming after a dropped connection, a run outliving its client (case 43),
// and `council.cancel` (case 44).

const test = councilTest();

/** Every council model streams ~30 words at 20 ms a word: a run of about two seconds. */

function slowCouncil(bed: CouncilTestbed, tokenDelayMs = 20): void {
  const answer = Array.from({ length: 30 }, (_, i) => `w${i}`).join(' ');
  for (const model of COUNCIL) {
    bed.upstream.setBehavior(model, { tokenDelayMs, reply: councilReply({ answer: () => answer }) });
  }
}

/** The whole log of a finished run, replayed from the start. */
async function replayAll(client: Awaited<ReturnType<typeof signUpWithKey>>['client'], runId: string) {
  return (await followToEnd(client, runId)).map(({ receivedAt: _receivedAt, ...envelope }) => envelope);
}

test('resubscribing with the last event id after unsubscribing mid-run loses and duplicates no event', async ({
  bed,
}) => {
  slowCouncil(bed);
  const { client, conversationId } = await signUpWithKey(bed.server);
  const { runId } = await client.council.start.mutate({ conversationId, content: 'Resume me' });

  // First connection: leave after the second stage-1 delta.
  const { received: before } = await subscribeUntil(
    client,
    runId,
    (received) => received.filter((e) => e.event.type === 'model_delta').length === 2,
  );
  const lastEventId = String(before.at(-1)?.seq);
  const leftAt = Date.now();
  await sleep(300); // the run goes on meanwhile

  const after = await followToEnd(client, runId, { lastEventId });
  const all = await replayAll(client, runId);

  // Events were stored while nobody listened, and the second connection started right after the last seen one.
  expect(all.filter((e) => Date.parse(e.at) > leftAt && Date.parse(e.at) < leftAt + 300).length).toBeGreaterThan(0);
  expect(after[0]?.seq).toBe(Number(lastEventId) + 1);
  const joined = [...before, ...after.map(({ receivedAt: _receivedAt, ...envelope }) => envelope)];
  expect(joined.map((e) => e.seq)).toEqual(all.map((e) => e.seq));
  expect(joined).toEqual(all);
  expect(all.at(-1)?.event.type).toBe('run_completed');
});

/** A fetch whose first event stream breaks (like a dropped connection) after `deltas` deltas went through. */
function fetchThatDropsTheFirstStream(deltas: number): { fetch: typeof fetch; cuts: () => number } {
  let cuts = 0;
  const dropping: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const isStream = response.headers.get('content-type')?.includes('text/event-stream');
    if (!isStream || !response.body || cuts > 0) return response;
    cuts += 1;
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let seen = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) return controller.close();
        controller.enqueue(value);
        seen += decoder.decode(value, { stream: true }).split('"model_delta"').length - 1;
        if (seen >= deltas) {
          await reader.cancel();
          controller.error(new TypeError('connection reset (simulated)'));
        }
      },
      cancel: (reason) => reader.cancel(reason),
    });
    return new Response(body, { status: response.status, headers: response.headers });
  };
  return { fetch: dropping, cuts: () => cuts };
}

test('client.followRun rides out a connection that breaks mid-stream and yields every event exactly once', async ({
  bed,
}) => {
  slowCouncil(bed);
  const user = await signUpWithKey(bed.server);
  const { runId } = await user.client.council.start.mutate({
    conversationId: user.conversationId,
    content: 'Survive a drop',
  });

  const dropping = fetchThatDropsTheFirstStream(3);
  const flaky = user.clientFor(bed.server, { fetch: dropping.fetch });
  const received = await followToEnd(flaky, runId);

  expect(dropping.cuts()).toBe(1);
  const all = await replayAll(user.client, runId);
  expect(received.map((e) => e.seq)).toEqual(all.map((e) => e.seq));
  expect(received.map(({ receivedAt: _receivedAt, ...envelope }) => envelope)).toEqual(all);
});

test('a run keeps going to completion after its only client disconnects, with every stage persisted (case 43)', async ({
  bed,
}) => {
  slowCouncil(bed);
  const { client, conversationId } = await signUpWithKey(bed.server);

  const controller = new AbortController();
  let runId: string | undefined;
  for await (const { runId: id, event } of client.ask(conversationId, 'Are you still there?', {
    signal: controller.signal,
  })) {
    runId = id;
    if (event.type === 'model_delta') break; // the client goes away mid-stage-1
  }
  controller.abort();
  expect(runId).toBeDefined();
  const leftWhile = await client.council.get.query({ runId: runId! });
  expect(leftWhile.status).toBe('running');

  const run = await waitForRunStatus(client, runId!, ['completed', 'failed', 'cancelled', 'interrupted']);
  expect(run.status).toBe('completed');
  expect(run.stage1.map((s) => [s.model, s.status])).toEqual(COUNCIL.map((m) => [m, 'completed']));
  expect(run.stage2.map((s) => s.status)).toEqual(['completed', 'completed', 'completed']);
  expect(run.aggregate).toHaveLength(3);
  expect(run.stage3?.status).toBe('completed');
  const conversation = await client.conversations.get.query({ id: conversationId });
  expect(conversation.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
  expect(conversation.messages[1]?.content).toBe(run.stage3?.content);
  // Nobody cancelled anything upstream.
  expect(requestsOf(bed.upstream, 'stage1')).toHaveLength(3);
  expect(bed.upstream.openRequests).toBe(0);
});

test('council.cancel aborts every open upstream request within a second and the run ends cancelled (case 44)', async ({
  bed,
}) => {
  // Every model streaming and the title call hanging: four open requests.
  const { client, runId } = await startBusyRun(bed, 'Never mind');
  const follow = followToEnd(client, runId);
  await sleep(100);

  const cancelledAt = Date.now();
  const result = await client.council.cancel.mutate({ runId });
  expect(['queued', 'running']).toContain(result.status);
  const closedWithin = await waitUntil(() => bed.upstream.openRequests === 0, 1_000, 'upstream requests to close');
  expect(closedWithin).toBeLessThan(1_000);

  const events = await follow;
  expect(events.at(-1)?.event.type).toBe('run_cancelled');
  expect(Date.now() - cancelledAt).toBeLessThan(2_000);
  const run = await client.council.get.query({ runId });
  expect(run.status).toBe('cancelled');
  expect(run.finishedAt).not.toBeNull();

  // Nothing starts after the cancel, and cancelling again changes nothing.
  await sleep(200);
  expect(requestsOf(bed.upstream, 'stage2')).toHaveLength(0);
  expect(await client.council.cancel.mutate({ runId })).toEqual({ status: 'cancelled' });
  expect((await client.council.get.query({ runId })).status).toBe('cancelled');
});

test('subscribers joining while a run starts each get every event within moments of its storage, none waiting for the safety poll', async ({
  bed,
}) => {
  const { client, conversationId } = await signUpWithKey(bed.server);
  const { runId } = await client.council.start.mutate({ conversationId, content: 'Join the race' });
  // Subscribers connect a millisecond apart around the moment the first events are stored; a
  // notification that lands while one is still reading must wake it. followToEnd throws if any
  // event reached a subscriber seconds after it was stored.
  const subscribers: Promise<Awaited<ReturnType<typeof followToEnd>>>[] = [];
  for (let i = 0; i < 20; i++) {
    subscribers.push(followToEnd(client, runId));
    await sleep(1);
  }
  for (const events of await Promise.all(subscribers)) {
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.at(-1)?.event.type).toBe('run_completed');
  }
});
