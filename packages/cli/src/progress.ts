import type { RunEvent } from '@llm-council/sdk';

/** Where progress goes: stderr, and whether it is a terminal we may redraw. */
export interface ProgressOutput {
  write(text: string): void;
  isTTY: boolean;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const SETTLED = new Set(['answered', 'reviewed', 'done', 'failed', 'late, left out']);

/**
 * One line per model with its state (a spinner while it works). On a terminal the block is
 * redrawn in place; otherwise (a pipe, a log file, CI) a line is printed only when a state changes.
 * On a terminal, redrawing stops once the chairman starts writing, so the answer streamed to
 * stdout on the same terminal is never overwritten.
 */
export class ModelProgress {
  private readonly states = new Map<string, string>();
  private chairman: string | null = null;
  private frame = 0;
  private drawnLines = 0;
  private isFrozen = false;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly out: ProgressOutput) {}

  apply(event: RunEvent): void {
    switch (event.type) {
      case 'run_started':
        this.chairman = event.chairmanModel;
        for (const model of event.models) this.set(model, 'waiting');
        // Only a full council has a chairman to wait for.
        if ((event.mode ?? 'full') === 'full') this.set(this.chairLabel(), 'waiting');
        if (this.out.isTTY) this.timer ??= setInterval(() => this.redraw(), 100);
        return;
      case 'model_reasoning':
        return this.set(event.stage === 'stage1' ? event.model : this.chairLabel(), 'thinking');
      case 'model_delta':
        if (event.stage === 'stage1') return this.set(event.model, 'answering');
        this.set(this.chairLabel(), 'writing');
        return this.freeze();
      case 'model_completed':
        return this.set(
          event.stage === 'stage1' ? event.model : this.chairLabel(),
          event.stage === 'stage1' ? 'answered' : 'done',
        );
      case 'stage_started':
        if (event.stage === 'stage2')
          for (const [model, state] of this.states) if (state === 'answered') this.set(model, 'reviewing');
        return;
      case 'review_completed':
        return this.set(event.reviewer, 'reviewed');
      case 'model_failed':
        if (event.stage === 'title') return;
        return this.set(event.stage === 'stage3' ? this.chairLabel() : event.model, 'failed');
      case 'model_late':
        return this.set(event.model, 'late, left out');
      case 'labels_assigned':
      case 'stage_completed':
      case 'aggregate_ranked':
      case 'title_completed':
      case 'run_completed':
      case 'run_failed':
      case 'run_cancelled':
      case 'run_interrupted':
        return;
    }
  }

  /** A line of its own (e.g. "reconnecting…"); on a terminal the model block is drawn again below it. */
  note(text: string): void {
    this.out.write(`${text}\n`);
    this.drawnLines = 0;
  }

  /** Stops redrawing and leaves the last state on screen. */
  stop(): void {
    this.freeze();
  }

  private chairLabel(): string {
    return `${this.chairman ?? 'chairman'} (chairman)`;
  }

  private set(model: string, state: string): void {
    if (this.states.get(model) === state) return;
    this.states.set(model, state);
    // Not a terminal: every change is its own line and nothing is redrawn, so nothing to freeze.
    if (!this.out.isTTY) return this.out.write(`${model}: ${state}\n`);
    if (!this.isFrozen) this.redraw();
  }

  private freeze(): void {
    if (this.isFrozen) return;
    if (this.out.isTTY) this.redraw();
    this.isFrozen = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private redraw(): void {
    if (this.isFrozen || this.states.size === 0) return;
    this.frame = (this.frame + 1) % SPINNER.length;
    const width = Math.max(...[...this.states.keys()].map((m) => m.length));
    const lines = [...this.states].map(([model, state]) => {
      const mark =
        state === 'failed' ? '✗' : SETTLED.has(state) ? '✓' : state === 'waiting' ? '·' : SPINNER[this.frame];
      return `${mark} ${model.padEnd(width)}  ${state}`;
    });
    // Move up over the previous block, then rewrite each line (clearing what was there).
    const up = this.drawnLines > 0 ? `\x1b[${this.drawnLines}A` : '';
    this.out.write(`${up}${lines.map((l) => `\x1b[2K${l}\n`).join('')}`);
    this.drawnLines = lines.length;
  }
}
