import type { AnswerSource, CouncilError, CouncilEvent, ReasoningEffort, Usage } from './events.js';
import type { ChatFn, ChatMessage, ChatResult } from './upstream/upstream.types.js';
import { createDeltaCoalescer, type DeltaCoalescer } from './delta-coalescer.js';
import { createEventSink, type EventSink } from './event-sink.js';
import { councilErrorCodes, toCouncilError } from './upstream/upstream.errors.js';

export interface RunCouncilDeps {
  /** One upstream call; `createChatClient(...).chat` in production. */
  chat: ChatFn;
  /** Persists/publishes one event. Awaited in order; a rejection fails the run (it is rethrown). */
  emit: (event: CouncilEvent) => Promise<void>;
  /** Cancels the run: upstream calls are aborted and `run_cancelled` is emitted. */
  signal: AbortSignal;
  now?: () => number;
  /** Minimum gap between two `model_delta` events of one model (default 100 ms); a function is read at every delta. */
  deltaIntervalMs?: number | (() => number);
  /** Draws labels, reading orders and answer markers; seeded in tests and benchmarks. */
  random?: () => number;
}

/** Thrown inside the runner when the caller's signal aborts; never escapes `runCouncil`. */
export class RunCancelledError extends Error {
  override readonly name = 'RunCancelledError';
  constructor() {
    super('The council run was cancelled.');
  }
}

export type ModelOutcome =
  | {
      ok: true;
      content: string;
      usage: Usage | null;
      durationMs: number;
      finishReason: string | null;
      sources?: AnswerSource[];
    }
  | { ok: false; error: CouncilError };

export interface RunContext {
  sink: EventSink;
  /** Aborts on cancellation and when the run ends, so no upstream call outlives it. */
  signal: AbortSignal;
  now: () => number;
  /** Asks one model; failures become `{ ok: false }`, cancellation throws `RunCancelledError`. */
  callModel: (request: {
    model: string;
    messages: ChatMessage[];
    streamAs?: 'stage1' | 'stage3';
    /** Ends this call alone (a missed deadline); the run's own signal still applies. */
    signal?: AbortSignal;
    maxTokens?: number | null;
    temperature?: number | null;
    reasoningEffort?: ReasoningEffort | null;
    webSearch?: boolean;
  }) => Promise<ModelOutcome>;
  /** Awaits `promise` but rejects at once on cancellation, even if a `chat` ignores its signal. */
  whileRunning: <T>(promise: Promise<T>) => Promise<T>;
  dispose: () => void;
}

export const emptyResponseError: CouncilError = {
  code: councilErrorCodes.emptyResponse,
  message: 'The model returned an empty answer.',
};

/**
 * The plumbing one run shares between its stages: the ordered event sink, the run-wide abort
 * signal, and `callModel`, which turns a chat call into an outcome while streaming its deltas.
 */
export function createRunContext(deps: RunCouncilDeps): RunContext {
  const ended = new AbortController();
  const signal = AbortSignal.any([deps.signal, ended.signal]);
  const sink = createEventSink(deps.emit);
  const now = deps.now ?? (() => performance.now());
  const coalescers = new Set<DeltaCoalescer>();

  async function callModel(request: Parameters<RunContext['callModel']>[0]): Promise<ModelOutcome> {
    const startedAt = now();
    const coalescer = request.streamAs
      ? createDeltaCoalescer({
          sink,
          stage: request.streamAs,
          model: request.model,
          intervalMs: deps.deltaIntervalMs ?? 100,
          now,
        })
      : undefined;
    const thinking = request.streamAs
      ? createDeltaCoalescer({
          sink,
          stage: request.streamAs,
          model: request.model,
          kind: 'reasoning',
          intervalMs: deps.deltaIntervalMs ?? 100,
          now,
        })
      : undefined;
    if (coalescer) coalescers.add(coalescer);
    if (thinking) coalescers.add(thinking);
    try {
      let result: ChatResult;
      try {
        result = await deps.chat({
          model: request.model,
          messages: request.messages,
          signal: request.signal ? AbortSignal.any([signal, request.signal]) : signal,
          onDelta: coalescer?.push,
          onReasoning: thinking?.push,
          ...(request.maxTokens != null && { maxTokens: request.maxTokens }),
          ...(request.temperature != null && { temperature: request.temperature }),
          ...(request.reasoningEffort != null &&
            request.reasoningEffort !== 'none' && { reasoningEffort: request.reasoningEffort }),
          ...(request.webSearch === true && { webSearch: true }),
        });
      } catch (err) {
        if (signal.aborted) throw new RunCancelledError();
        return { ok: false, error: toCouncilError(err) };
      }
      if (signal.aborted) throw new RunCancelledError();
      if (result.content.trim() === '') return { ok: false, error: emptyResponseError };
      // Outside the catch above: an emit failure here must fail the run, not pose as a model error.
      await thinking?.flush();
      await coalescer?.flush();
      const durationMs = Math.max(0, Math.round(now() - startedAt));
      return {
        ok: true,
        content: result.content,
        usage: result.usage,
        durationMs,
        finishReason: result.finishReason,
        ...(result.sources && { sources: result.sources }),
      };
    } finally {
      coalescer?.discard();
      if (coalescer) coalescers.delete(coalescer);
      thinking?.discard();
      if (thinking) coalescers.delete(thinking);
    }
  }

  function whileRunning<T>(promise: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => reject(new RunCancelledError());
      if (signal.aborted) onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      void promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  return {
    sink,
    signal,
    now,
    callModel,
    whileRunning,
    dispose: () => {
      ended.abort();
      for (const coalescer of coalescers) coalescer.discard();
    },
  };
}
