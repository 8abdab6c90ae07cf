import { UpstreamError } from './upstream.errors.js';

export interface AttemptWatchdog {
  /** Aborts with an `UPSTREAM_TIMEOUT` error as its reason when a deadline passes. */
  signal: AbortSignal;
  /** Records a chunk: ends the first-token wait and restarts the idle countdown. */
  touch: () => void;
  stop: () => void;
}

/**
 * One attempt's liveness timers. Until the first chunk the budget is `firstTokenMs` (models may
 * think for a while); afterwards each chunk must follow the previous one within `idleMs`.
 * SSE comments do not count: OpenRouter sends them as keep-alives even while a provider is stuck.
 */
export function startAttemptWatchdog(firstTokenMs: number, idleMs: number): AttemptWatchdog {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;

  const arm = (ms: number, detail: string): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      controller.abort(new UpstreamError('UPSTREAM_TIMEOUT', { detail }));
    }, ms);
  };

  arm(firstTokenMs, `no first token within ${firstTokenMs} ms`);
  return {
    signal: controller.signal,
    touch: () => arm(idleMs, `no chunk for ${idleMs} ms`),
    stop: () => clearTimeout(timer),
  };
}

/**
 * The whole call's deadline across retries. Kept separate from the watchdog because it must keep
 * running while we sleep between attempts.
 */
export function startTotalDeadline(totalMs: number): { signal: AbortSignal; stop: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort(new UpstreamError('UPSTREAM_TIMEOUT', { detail: `exceeded ${totalMs} ms in total` }));
  }, totalMs);
  return { signal: controller.signal, stop: () => clearTimeout(timer) };
}
