import type { TRPCClient } from '@trpc/client';
import type { AppRouter } from '@llm-council/api';
import { isUnauthorized } from './errors.js';
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
  /** How many times a dropped connection is re-established before giving up (default 5). */
  maxReconnects?: number;
}

export type AskOptions = Omit<RouterInputs['council']['start'], 'conversationId' | 'content'> &
  FollowOptions & {
    /** Called once the run exists, with its ids (the new conversation's id when `ask` got `null`). */
    onStart?: (started: RouterOutputs['council']['start']) => void;
  };

/**
 * Follows a run's events as an async iterator until the run ends. A dropped connection is
 * re-established and resumes after the last event received, so nothing persisted is lost.
 *
 * @example
 * for await (const { event } of followRun(client, runId)) {
 *   if (event.type === 'model_delta') process.stdout.write(event.text);
 * }
 */
export async function* followRun(
  client: TRPCClient<AppRouter>,
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
    if (isUnauthorized(outcome.error) || isRefusal(outcome.error) || reconnects >= (options.maxReconnects ?? 5)) {
      throw outcome.error;
    }
    reconnects += 1;
    await new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** reconnects, 4000)));
  }
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
 * // `null` starts a new conversation together with the run; a refused start creates nothing.
 * for await (const envelope of ask(client, null, 'Hello', { onStart: ({ conversationId }) => save(conversationId) })) {}
 */
export async function* ask(
  client: TRPCClient<AppRouter>,
  conversationId: string | null,
  content: string,
  options: AskOptions = {},
): AsyncGenerator<RunEventEnvelope, void, undefined> {
  const { lastEventId, signal, maxReconnects, onStart, ...startOptions } = options;
  const started = await client.council.start.mutate({
    ...(conversationId !== null ? { conversationId } : {}),
    content,
    ...startOptions,
    // After the spread, so an explicit `clientRequestId: undefined` still gets an id.
    clientRequestId: startOptions.clientRequestId ?? globalThis.crypto.randomUUID(),
  });
  onStart?.(started);
  yield* followRun(client, started.runId, {
    ...(lastEventId !== undefined ? { lastEventId } : {}),
    ...(signal ? { signal } : {}),
    ...(maxReconnects !== undefined ? { maxReconnects } : {}),
  });
}

type Outcome = { kind: 'ended' } | { kind: 'dropped'; error: unknown };

/**
 * Server answers that no reconnect can change: the run is not yours (NOT_FOUND), the input is
 * wrong, and so on. Transient failures (5xx) are already retried inside the subscription link.
 */
const refusalCodes: ReadonlySet<string> = new Set([
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
]);

function isRefusal(error: unknown): boolean {
  const code = (error as { data?: { code?: unknown } | null } | null)?.data?.code;
  return typeof code === 'string' && refusalCodes.has(code);
}

/** Bridges one tRPC subscription to an async generator (push → pull, buffered). */
async function* subscribeOnce(
  client: TRPCClient<AppRouter>,
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
