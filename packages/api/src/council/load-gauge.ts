import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

export interface LoadGaugeOptions {
  /** The delta interval when the host is at ease. */
  baseIntervalMs: number;
  /** The widest it gets under load. */
  maxIntervalMs: number;
  /** Events waiting to be stored; a long queue means the database is behind. */
  queuedEvents: () => number;
}

/** Event-loop lag (p99 over the last second) at which intervals start to widen, and where they reach the maximum. */
const LAG_EASY_MS = 20;
const LAG_BUSY_MS = 120;
const QUEUE_EASY = 500;
const QUEUE_BUSY = 5_000;

/**
 * How busy this host is, as one number from 0 (at ease) to 1 (saturated), from the event loop's
 * lag and the event writer's queue. It sets the delta interval: a busy server sends fewer,
 * larger deltas instead of falling behind, and narrows them again when the load passes.
 */
export class LoadGauge {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private readonly timer: NodeJS.Timeout;
  private load = 0;

  constructor(private readonly options: LoadGaugeOptions) {
    this.histogram.enable();
    this.timer = setInterval(() => this.sample(), 1_000);
    this.timer.unref();
  }

  /** The interval between two deltas of one model now. */
  deltaIntervalMs(): number {
    const { baseIntervalMs, maxIntervalMs } = this.options;
    return Math.round(baseIntervalMs + (maxIntervalMs - baseIntervalMs) * this.load);
  }

  get currentLoad(): number {
    return this.load;
  }

  stop(): void {
    clearInterval(this.timer);
    this.histogram.disable();
  }

  private sample(): void {
    const lagMs = this.histogram.percentile(99) / 1e6;
    this.histogram.reset();
    const fromLag = scale(lagMs, LAG_EASY_MS, LAG_BUSY_MS);
    const fromQueue = scale(this.options.queuedEvents(), QUEUE_EASY, QUEUE_BUSY);
    const target = Math.max(fromLag, fromQueue);
    // Widen at once, narrow gently: a single quiet second under load should not flip it back.
    this.load = target >= this.load ? target : this.load * 0.7 + target * 0.3;
  }
}

function scale(value: number, easy: number, busy: number): number {
  return Math.min(1, Math.max(0, (value - easy) / (busy - easy)));
}
