import { terminalEventTypes, type CouncilEvent } from './events.js';

export interface EventSink {
  /**
   * Queues an event behind every earlier one and resolves once `emit` accepted it. Rejects if this
   * or any earlier emit failed: after a lost event the log has a hole, so nothing more is emitted.
   */
  send: (event: CouncilEvent) => Promise<void>;
  /** The first emit failure, if any. */
  readonly failure: { error: unknown } | undefined;
}

/**
 * Serialises events from concurrent model calls into one ordered stream. Several stage-1 models
 * stream at once, but the caller persists events one by one and numbers them, so each `emit` must
 * finish before the next starts. After a terminal event (`run_completed`, …) further events are
 * dropped: a late reply from a model that ignored cancellation cannot reopen a finished run.
 */
export function createEventSink(emit: (event: CouncilEvent) => Promise<void>): EventSink {
  let tail: Promise<void> = Promise.resolve();
  let failure: { error: unknown } | undefined;
  let isClosed = false;

  function send(event: CouncilEvent): Promise<void> {
    if (isClosed) return Promise.resolve();
    if (terminalEventTypes.has(event.type)) isClosed = true;
    const emitted = tail.then(async () => {
      if (failure) throw failure.error;
      await emit(event);
    });
    tail = emitted.catch((err: unknown) => {
      failure ??= { error: err };
    });
    return emitted;
  }

  return {
    send,
    get failure() {
      return failure;
    },
  };
}
