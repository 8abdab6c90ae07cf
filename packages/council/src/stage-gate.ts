/**
 * Decides when a stage stops waiting. Without it one slow or hung model holds the whole council
 * for as long as the HTTP client's timeout (minutes). A stage moves on when every model is done,
 * or when a quorum is in and the soft deadline after the first completion has passed; a hard
 * deadline from the start of the stage ends stragglers regardless. Stragglers are cut (their calls
 * aborted) and reported as late; a result that arrives after that is ignored.
 */

export interface StageDeadlines {
  /** How long to keep waiting after the first model finished, once a quorum is in. */
  softDeadlineMs: number;
  /** The longest any model may take in one stage. */
  hardDeadlineMs: number;
  /** Results that count towards the quorum (the answers or readable reviews needed to move on). */
  quorum: number;
}

export interface GateOptions<T> extends StageDeadlines {
  models: readonly string[];
  /** One model's work; `signal` aborts when the model is cut. Must not reject for model failures. */
  start: (model: string, signal: AbortSignal) => Promise<T>;
  /** Whether a result counts towards the quorum (a failure does not). */
  isCounted: (result: T) => boolean;
  /** Called in arrival order for results that came in time. */
  onResult: (model: string, result: T) => Promise<void>;
  onLate: (model: string, waitedMs: number) => Promise<void>;
  /** Results already in before the stage started (reused from an earlier attempt). */
  alreadyCounted?: number;
  now: () => number;
}

/** Runs every model's work under the deadlines; resolves with the results that came in time. */
export function gatherWithDeadlines<T>(options: GateOptions<T>): Promise<Map<string, T>> {
  const startedAt = options.now();
  const results = new Map<string, T>();
  const pending = new Set(options.models);
  const controllers = new Map(options.models.map((model) => [model, new AbortController()]));
  let counted = options.alreadyCounted ?? 0;
  let isSoftDeadlinePassed = false;
  let softTimer: ReturnType<typeof setTimeout> | undefined;
  // Callbacks run one after another, so events leave in the order results arrived.
  let callbacks = Promise.resolve();
  const queue = (callback: () => Promise<void>): void => {
    callbacks = callbacks.then(callback);
    // Handled here so a failed emit is not reported as unhandled; `finish` still sees it.
    callbacks.catch(() => undefined);
  };

  return new Promise<Map<string, T>>((resolve, reject) => {
    let isDone = false;
    const hardTimer = setTimeout(() => cutStragglers(), options.hardDeadlineMs);

    function finish(): void {
      if (isDone) return;
      isDone = true;
      clearTimeout(hardTimer);
      clearTimeout(softTimer);
      callbacks.then(() => resolve(results), reject);
    }

    function cutStragglers(): void {
      if (isDone) return;
      const waitedMs = Math.max(0, Math.round(options.now() - startedAt));
      for (const model of pending) {
        controllers.get(model)?.abort();
        queue(() => options.onLate(model, waitedMs));
      }
      pending.clear();
      finish();
    }

    function startSoftDeadline(): void {
      softTimer ??= setTimeout(() => {
        isSoftDeadlinePassed = true;
        if (counted >= options.quorum) cutStragglers();
      }, options.softDeadlineMs);
    }

    if (pending.size === 0) return finish();
    if (counted > 0) startSoftDeadline();
    for (const model of options.models) {
      const signal = (controllers.get(model) as AbortController).signal;
      options.start(model, signal).then(
        (result) => {
          if (!pending.delete(model)) return; // Already cut as late: the result is ignored.
          results.set(model, result);
          queue(() => options.onResult(model, result));
          if (options.isCounted(result)) counted++;
          startSoftDeadline();
          if (pending.size === 0) finish();
          else if (isSoftDeadlinePassed && counted >= options.quorum) cutStragglers();
        },
        (err: unknown) => {
          // Cancellation or a failed emit: stop everything and let the runner handle it.
          for (const controller of controllers.values()) controller.abort();
          isDone = true;
          clearTimeout(hardTimer);
          clearTimeout(softTimer);
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    }
  });
}
