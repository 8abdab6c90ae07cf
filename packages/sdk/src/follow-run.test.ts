import { TRPCClientError } from '@trpc/client';
import { afterEach, expect, test, vi } from 'vitest';
import { followRun, type RunEventEnvelope, type RunEventSource } from './ask.js';
import { categorizeFollowError, reconnectDelayMs, reconnectPolicy } from './follow-policy.js';

// The one policy every client follows a run by (the web's live view, the CLI, askCouncil, the
// MCP tool and the OpenAI endpoint all go through `followRun`): which failures reconnect, how
// soon, how often, and from where. A stand-in event source plays the server's `council.events`.

const RUN_ID = '7d1f0a52-6a8e-4f2e-9a51-3c0f5b9b1c11';

interface Subscription {
  input: { runId: string; lastEventId?: string };
  observer: {
    onData: (value: { id: string; data: RunEventEnvelope }) => void;
    onError: (error: unknown) => void;
    onComplete: () => void;
  };
  isClosed: boolean;
}

function fakeEvents() {
  const subscriptions: Subscription[] = [];
  const source = {
    council: {
      events: {
        subscribe: (input: Subscription['input'], observer: Subscription['observer']) => {
          const subscription: Subscription = { input, observer, isClosed: false };
          subscriptions.push(subscription);
          return { unsubscribe: () => (subscription.isClosed = true) };
        },
      },
    },
  } as unknown as RunEventSource;
  const last = () => subscriptions.at(-1)!;
  let seq = 0;
  return {
    source,
    subscriptions,
    /** The server delivers the next event on the newest subscription. */
    deliver() {
      seq += 1;
      const envelope = {
        runId: RUN_ID,
        seq,
        at: '2026-01-01T00:00:00.000Z',
        event: { type: 'stage_started', stage: 'stage1' },
      } as RunEventEnvelope;
      last().observer.onData({ id: String(seq), data: envelope });
    },
    drop(error: unknown = new TypeError('network error')) {
      last().observer.onError(error);
    },
    end() {
      last().observer.onComplete();
    },
  };
}

/** Follows the run in the background, collecting event numbers; `result` settles when following ends. */
function follow(source: RunEventSource, options: Parameters<typeof followRun>[2] = {}) {
  const seen: number[] = [];
  const result = (async () => {
    for await (const envelope of followRun(source, RUN_ID, options)) seen.push(envelope.seq);
  })().then(
    () => ({ ok: true as const }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  return { seen, result };
}

function trpcError(code: string): TRPCClientError<never> {
  return new TRPCClientError(`refused: ${code}`, {
    result: { error: { message: code, code: -32000, data: { code } } },
  } as never);
}

afterEach(() => {
  vi.useRealTimers();
});

test('the policy: a network error, a 5xx or a 429 is transient; UNAUTHORIZED means signed out; ten codes are refusals no retry changes', () => {
  expect(categorizeFollowError(new TypeError('fetch failed'))).toBe('transient');
  expect(categorizeFollowError(trpcError('INTERNAL_SERVER_ERROR'))).toBe('transient');
  expect(categorizeFollowError(trpcError('TOO_MANY_REQUESTS'))).toBe('transient');
  expect(categorizeFollowError(trpcError('SERVICE_UNAVAILABLE'))).toBe('transient');
  expect(categorizeFollowError(trpcError('UNAUTHORIZED'))).toBe('signed-out');
  const refusals = [
    'BAD_REQUEST',
    'PARSE_ERROR',
    'FORBIDDEN',
    'NOT_FOUND',
    'METHOD_NOT_SUPPORTED',
    'CONFLICT',
    'PRECONDITION_FAILED',
    'PAYLOAD_TOO_LARGE',
    'UNPROCESSABLE_CONTENT',
    'NOT_IMPLEMENTED',
  ];
  for (const code of refusals)
    expect({ code, category: categorizeFollowError(trpcError(code)) }).toEqual({ code, category: 'refused' });
  // Reconnects wait 0.5 s, doubling to at most 10 s; ten in a row without an event and the client gives up.
  expect([1, 2, 3, 4, 5, 6, 10].map(reconnectDelayMs)).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
  expect(reconnectPolicy.maxAttempts).toBe(10);
});

test('a dropped stream is followed again after the policy’s wait, from the last event seen, without gaps or repeats', async () => {
  vi.useFakeTimers();
  const events = fakeEvents();
  const { seen, result } = follow(events.source);
  events.deliver();
  events.deliver();
  events.drop();
  await vi.advanceTimersByTimeAsync(reconnectDelayMs(1) - 1);
  expect(events.subscriptions).toHaveLength(1);
  expect(events.subscriptions[0]!.isClosed).toBe(true);
  await vi.advanceTimersByTimeAsync(1);
  expect(events.subscriptions).toHaveLength(2);
  expect(events.subscriptions[1]!.input).toEqual({ runId: RUN_ID, lastEventId: '2' });
  events.deliver();
  events.end();
  expect(await result).toEqual({ ok: true });
  expect(seen).toEqual([1, 2, 3]);
});

test('ten reconnects in a row without an event and following rejects with the last error; an event in between starts the count again', async () => {
  vi.useFakeTimers();
  const events = fakeEvents();
  const { result } = follow(events.source);
  // Five drops, then an event: the count starts again, so the next wait is the first one.
  for (let attempt = 1; attempt <= 5; attempt += 1) {
    events.drop();
    await vi.advanceTimersByTimeAsync(reconnectDelayMs(attempt));
  }
  expect(events.subscriptions).toHaveLength(6);
  events.deliver();
  const lastError = new TypeError('still down');
  for (let attempt = 1; attempt <= reconnectPolicy.maxAttempts; attempt += 1) {
    events.drop();
    await vi.advanceTimersByTimeAsync(reconnectDelayMs(attempt) - 1);
    expect(events.subscriptions).toHaveLength(6 + attempt - 1);
    await vi.advanceTimersByTimeAsync(1);
    expect(events.subscriptions).toHaveLength(6 + attempt);
  }
  events.drop(lastError);
  expect(await result).toEqual({ ok: false, error: lastError });
  expect(events.subscriptions).toHaveLength(6 + reconnectPolicy.maxAttempts);
  expect(vi.getTimerCount()).toBe(0);
});

test('a refusal or an ended session rejects at once, without a reconnect', async () => {
  vi.useFakeTimers();
  for (const error of [trpcError('NOT_FOUND'), trpcError('FORBIDDEN'), trpcError('UNAUTHORIZED')]) {
    const events = fakeEvents();
    const reconnecting = vi.fn();
    const { result } = follow(events.source, { onReconnecting: reconnecting });
    events.drop(error);
    expect(await result).toEqual({ ok: false, error });
    await vi.advanceTimersByTimeAsync(reconnectPolicy.maxDelayMs);
    expect(events.subscriptions).toHaveLength(1);
    expect(reconnecting).not.toHaveBeenCalled();
  }
});

test('maxReconnects narrows the policy; onReconnecting hears each scheduled reconnect; aborting stops following quietly', async () => {
  vi.useFakeTimers();
  const events = fakeEvents();
  const reconnecting = vi.fn();
  const { result } = follow(events.source, { maxReconnects: 1, onReconnecting: reconnecting });
  events.drop();
  await vi.advanceTimersByTimeAsync(reconnectDelayMs(1));
  events.drop();
  expect(await result).toMatchObject({ ok: false });
  expect(reconnecting).toHaveBeenCalledTimes(1);

  const stopping = new AbortController();
  const other = fakeEvents();
  const followed = follow(other.source, { signal: stopping.signal });
  other.drop();
  stopping.abort();
  expect(await followed.result).toEqual({ ok: true });
  await vi.advanceTimersByTimeAsync(reconnectPolicy.maxDelayMs);
  expect(other.subscriptions).toHaveLength(1);
  expect(other.subscriptions[0]!.isClosed).toBe(true);
});
