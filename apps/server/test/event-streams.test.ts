import { expect } from 'vitest';
import { councilTest } from './helpers/fixtures.js';
import {
  COUNCIL,
  TITLE_MODEL,
  councilReply,
  followToEnd,
  signUpWithKey,
  startCouncilTestbed,
} from './helpers/council-harness.js';
import type { TestServer } from './helpers/test-server.js';

// Case 53 (issue 9, hole 5): live `council.events` streams are capped per user, pinged, and end
// after a maximum duration, from which a client resumes without losing an event.

const test = councilTest();

interface OpenedStream {
  /** `event` when the stream delivered a run event, else the error's app code. */
  outcome: string;
  message: string | null;
  close: () => void;
}

/** Opens a raw SSE stream of a run and reads until its first run event or its in-stream error. */
async function openStream(server: TestServer, accessToken: string, runId: string): Promise<OpenedStream> {
  const controller = new AbortController();
  const input = encodeURIComponent(JSON.stringify({ runId }));
  const response = await fetch(`${server.url}/trpc/council.events?input=${input}`, {
    headers: { Authorization: `Bearer ${accessToken}`, Accept: 'text/event-stream' },
    signal: controller.signal,
  });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
    const error = /event: serialized-error\ndata: (.*)\n/.exec(text);
    if (error?.[1]) {
      const body = JSON.parse(error[1]) as { message: string; data: { appCode: string | null } };
      controller.abort();
      return { outcome: body.data.appCode ?? 'unknown', message: body.message, close: () => undefined };
    }
    if (/\nid: \d+\n/.test(text) || text.startsWith('id: ')) break;
  }
  return { outcome: 'event', message: null, close: () => controller.abort() };
}

/** Every council model (and the title) hangs after the run has started: a run that stays live. */
function hangingCouncil(bed: { upstream: { setBehavior: (model: string, behavior: { hang: boolean }) => void } }) {
  for (const model of [...COUNCIL, TITLE_MODEL]) bed.upstream.setBehavior(model, { hang: true });
}

test('case 53: 21 parallel streams of one user → 20 open, the 21st refused with STREAM_LIMIT_REACHED; a closed one frees its slot', async ({
  bed,
}) => {
  hangingCouncil(bed);
  const { client, conversationId } = await signUpWithKey(bed.server);
  const { runId } = await client.council.start.mutate({ conversationId, content: 'Hold on' });
  const accessToken = (await client.getAccessToken())!;

  const streams = await Promise.all(Array.from({ length: 21 }, () => openStream(bed.server, accessToken, runId)));
  const opened = streams.filter((s) => s.outcome === 'event');
  const refused = streams.filter((s) => s.outcome !== 'event');
  expect(opened).toHaveLength(20);
  expect(refused.map((s) => s.outcome)).toEqual(['STREAM_LIMIT_REACHED']);
  expect(refused[0]?.message).toMatch(/20 live event streams/);

  // Another user is not affected by this one's streams.
  const other = await signUpWithKey(bed.server);
  const { runId: otherRun } = await other.client.council.start.mutate({
    conversationId: other.conversationId,
    content: 'Me too',
  });
  const otherStream = await openStream(bed.server, (await other.client.getAccessToken())!, otherRun);
  expect(otherStream.outcome).toBe('event');
  otherStream.close();

  // Closing one stream frees its slot (the server notices the disconnect).
  opened[0]?.close();
  let again: OpenedStream | undefined;
  for (let attempt = 0; attempt < 50 && again?.outcome !== 'event'; attempt++) {
    again = await openStream(bed.server, accessToken, runId);
    if (again.outcome !== 'event') await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(again?.outcome).toBe('event');
  again?.close();
  for (const stream of opened) stream.close();
  await client.council.cancel.mutate({ runId });
  await other.client.council.cancel.mutate({ runId: otherRun });
});

test('case 53: a stream is pinged, ends at its maximum duration without a "return", and followRun resumes losing nothing', async () => {
  const bed = await startCouncilTestbed({ env: { STREAM_PING_SECONDS: '1', STREAM_MAX_DURATION_SECONDS: '2' } });
  try {
    // A hanging run: the raw stream sees pings, then the server ends it after two seconds.
    hangingCouncil(bed);
    const { client, conversationId } = await signUpWithKey(bed.server);
    const { runId } = await client.council.start.mutate({ conversationId, content: 'Ping me' });
    const input = encodeURIComponent(JSON.stringify({ runId }));
    const openedAt = Date.now();
    const response = await fetch(`${bed.server.url}/trpc/council.events?input=${input}`, {
      headers: { Authorization: `Bearer ${(await client.getAccessToken())!}`, Accept: 'text/event-stream' },
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    const lastedMs = Date.now() - openedAt;
    expect(lastedMs).toBeGreaterThanOrEqual(1_900);
    expect(lastedMs).toBeLessThan(5_000);
    expect(text).toContain('event: ping');
    expect(text).toMatch(/\nid: \d+\n/);
    expect(text).not.toContain('event: return'); // a client must reconnect, not take the run as over
    await client.council.cancel.mutate({ runId });
    bed.upstream.reset();

    // A run of about five seconds, followed through the SDK across at least two forced reconnects.
    const answer = Array.from({ length: 100 }, (_, i) => `w${i}`).join(' ');
    for (const model of COUNCIL) {
      bed.upstream.setBehavior(model, { tokenDelayMs: 40, reply: councilReply({ answer: () => answer }) });
    }
    const second = await client.conversations.create.mutate({});
    const { runId: longRun } = await client.council.start.mutate({
      conversationId: second.id,
      content: 'Outlast the stream',
    });
    const logsBefore = bed.server.logs.length;
    // Reconnects wait for EventSource's retry delay: events stored meanwhile arrive late, not lost.
    const events = await followToEnd(client, longRun, { timeoutMs: 30_000, maxLagMs: 10_000 });
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.at(-1)?.event.type).toBe('run_completed');
    const streamRequests = bed.server.logs
      .slice(logsBefore)
      .filter((line) => line.includes('"path":"/council.events"') || line.includes('"path":"/trpc/council.events"'));
    expect(streamRequests.length).toBeGreaterThanOrEqual(2);
  } finally {
    await bed.close();
  }
});
