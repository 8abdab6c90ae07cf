import type { EventSink } from './event-sink.js';

export interface DeltaCoalescer {
  /** Adds streamed text; called synchronously from the upstream client. */
  push: (text: string) => void;
  /** Emits whatever is buffered now (before the model's `model_completed`). */
  flush: () => Promise<void>;
  /** Drops buffered text and the pending timer (the call failed or the run was cancelled). */
  discard: () => void;
}

/**
 * Batches one model's token deltas into `model_delta` events (`kind: 'reasoning'`: its thinking,
 * into `model_reasoning` events): the first piece goes out at once
 * (the user sees the model start), then at most one event per `intervalMs`. Every event is
 * persisted by the caller, so per-token events would mean hundreds of writes per answer; 100 ms
 * still reads as live typing. Text is never lost: joining a model's deltas gives its content.
 */
export function createDeltaCoalescer(options: {
  sink: EventSink;
  stage: 'stage1' | 'stage3';
  model: string;
  kind?: 'text' | 'reasoning';
  /** Read at every delta: the host widens it under load. */
  intervalMs: number | (() => number);
  now: () => number;
}): DeltaCoalescer {
  const { intervalMs: interval } = options;
  const intervalMs = typeof interval === 'number' ? () => interval : interval;
  let buffer = '';
  let lastSentAt = Number.NEGATIVE_INFINITY;
  let timer: ReturnType<typeof setTimeout> | undefined;

  function send(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    if (buffer === '') return Promise.resolve();
    const text = buffer;
    buffer = '';
    lastSentAt = options.now();
    const type = options.kind === 'reasoning' ? 'model_reasoning' : 'model_delta';
    return options.sink.send({ type, stage: options.stage, model: options.model, text });
  }

  function sendInBackground(): void {
    // Nobody awaits a timed delta. The sink remembers an emit failure and the runner's next
    // awaited send rethrows it, so ignoring the rejection here loses nothing.
    send().catch(() => undefined);
  }

  return {
    push(text) {
      buffer += text;
      if (timer !== undefined) return;
      const waitMs = lastSentAt + intervalMs() - options.now();
      if (waitMs <= 0) {
        sendInBackground();
      } else {
        timer = setTimeout(sendInBackground, waitMs);
      }
    },
    flush: send,
    discard() {
      clearTimeout(timer);
      timer = undefined;
      buffer = '';
    },
  };
}
