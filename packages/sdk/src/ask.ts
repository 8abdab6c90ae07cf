import type { TRPCClient } from '@trpc/client';
import type { AppRouter } from '@llm-council/api';
import { categorizeFollowError, reconnectDelayMs, reconnectPolicy } from './follow-policy.js';
import type { RouterInputs, RouterOutputs } from './types.js';

type EventsOutput = RouterOutputs['council']['events'];
/** One event of a council run as delivered: `{ runId, seq, at, event }`; `event.type` discriminates. */
export type RunEventEnvelope = (EventsOutput extends AsyncIterable<infer Item> ? Item : never)['data'];
/** The union of council events (`run_started`, `model_delta`, `review_completed`, `run_completed`, …). */
export type RunEvent = RunEventEnvelope['event'];

export interface FollowOptions {
  /** Resume after this event number (e.g. after a restart of your program). */
  lastEventId?: string;
  /** Stops following (the run itself goes on; use `council.cancel` to stop it). */
  signal?: AbortSignal;
  /**
   * How many reconnects in a row (without an event between them) before giving up; default
   * `reconnectPolicy.maxAttempts` (10).
   */
  maxReconnects?: number;
  /** Called when the stream dropped and a reconnect is scheduled (e.g. to show "Reconnecting…"). */
  onReconnecting?: (error: unknown) => void;
}

/** What following needs of a client: `council.events` (a `CouncilClient`, or its `council` part as `{ council }`). */
export interface RunEventSource {
  council: { events: Pick<TRPCClient<AppRouter>['council']['events'], 'subscribe'> };
}

export type AskOptions = Omit<RouterInputs['council']['start'], 'conversationId' | 'content'> &
  FollowOptions & {
    /**
     * Called once the run exists, before its first event (e.g. to cancel it on Ctrl-C), with the
     * conversation it belongs to (new when `ask` was given no conversation id).
     */
    onStarted?: (runId: string, conversationId: string) => void;
  };

/**
 * Follows a run's events as an async iterator until the run ends. A dropped connection is
 * re-established and resumes after the last event received, so nothing persisted is lost
 * (`reconnectPolicy`); a refusal or an ended session rejects at once (`categorizeFollowError`).
 *
 * @example
 * for await (const { event } of followRun(client, runId)) {
 *   if (event.type === 'model_delta') process.stdout.write(event.text);
 * }
 */
export async function* followRun(
  client: RunEventSource,
  runId: string,
  options: FollowOptions = {},
): AsyncGenerator<RunEventEnvelope, void, undefined> {
  let lastEventId = options.lastEventId;
  let reconnects = 0;
  while (!options.signal?.aborted) {
    const outcome = yield* subscribeOnce(client, runId, lastEventId, options.signal, (seq) => {
      lastEventId = String(seq);
      reconnects = 0;
    });
    if (outcome.kind === 'ended') return;
    const maxReconnects = options.maxReconnects ?? reconnectPolicy.maxAttempts;
    if (categorizeFollowError(outcome.error) !== 'transient' || reconnects >= maxReconnects) throw outcome.error;
    reconnects += 1;
    options.onReconnecting?.(outcome.error);
    await sleep(reconnectDelayMs(reconnects), options.signal);
  }
}

/** Waits, or stops waiting as soon as `signal` aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    // Aborted already (while the stream was failing): an abort event will not come again.
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Asks the council and follows the run: yields every event from `run_started` to the terminal
 * one. The start is idempotent (a generated `clientRequestId`), so retrying `ask` after a network
 * failure does not ask twice.
 *
 * @example
 * const client = createCouncilClient({ url: 'http://127.0.0.1:3000' });
 * for await (const { event } of ask(client, conversationId, 'Is P = NP?')) {
 *   if (event.type === 'model_delta' && event.stage === 'stage3') process.stdout.write(event.text);
 *   if (event.type === 'aggregate_ranked') console.table(event.aggregate);
 * }
 */
export async function* ask(
  client: TRPCClient<AppRouter>,
  conversationId: string | null,
  content: string,
  options: AskOptions = {},
): AsyncGenerator<RunEventEnvelope, void, undefined> {
  const { lastEventId, signal, maxReconnects, onReconnecting, onStarted, ...startOptions } = options;
  const { runId, conversationId: startedIn } = await client.council.start.mutate({
    // `null`: a new conversation, created with the run (a refused start leaves nothing behind).
    ...(conversationId !== null ? { conversationId } : { newConversation: {} }),
    content,
    ...startOptions,
    // After the spread, so an explicit `clientRequestId: undefined` still gets an id.
    clientRequestId: startOptions.clientRequestId ?? globalThis.crypto.randomUUID(),
  });
  onStarted?.(runId, startedIn);
  yield* followRun(client, runId, {
    ...(lastEventId !== undefined ? { lastEventId } : {}),
    ...(signal ? { signal } : {}),
    ...(maxReconnects !== undefined ? { maxReconnects } : {}),
    ...(onReconnecting ? { onReconnecting } : {}),
  });
}

type Outcome = { kind: 'ended' } | { kind: 'dropped'; error: unknown };

/** Bridges one tRPC subscription to an async generator (push → pull, buffered). */
async function* subscribeOnce(
  client: RunEventSource,
  runId: string,
  lastEventId: string | undefined,
  signal: AbortSignal | undefined,
  onSeq: (seq: number) => void,
): AsyncGenerator<RunEventEnvelope, Outcome, undefined> {
  const buffer: RunEventEnvelope[] = [];
  let outcome: Outcome | null = null;
  let notify: () => void = () => {};
  const subscription = client.council.events.subscribe(
    { runId, ...(lastEventId !== undefined ? { lastEventId } : {}) },
    {
      onData: ({ data }) => {
        buffer.push(data);
        notify();
      },
      onError: (error) => {
        outcome = { kind: 'dropped', error };
        notify();
      },
      onComplete: () => {
        outcome ??= { kind: 'ended' };
        notify();
      },
      // The link reconnects on its own after network blips; those are invisible here.
    },
  );
  const stop = () => {
    outcome ??= { kind: 'ended' };
    notify();
  };
  signal?.addEventListener('abort', stop, { once: true });
  try {
    for (;;) {
      const next = buffer.shift();
      if (next) {
        onSeq(next.seq);
        yield next;
        continue;
      }
      if (outcome) return outcome;
      await new Promise<void>((resolve) => (notify = resolve));
    }
  } finally {
    signal?.removeEventListener('abort', stop);
    subscription.unsubscribe();
  }
}
