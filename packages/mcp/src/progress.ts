import type { RunEvent } from '@llm-council/sdk';

/** One step of a run as a person reads it: "test/alpha answered (2 of 3)", and how far along it is. */
export interface ProgressStep {
  message: string;
  /** Steps done so far: each answer, each review, and the chairman's synthesis. */
  progress: number;
  /**
   * Steps in the whole run, once it has started: each answer, each review (not in mode `answers`)
   * and the synthesis (mode `full` only).
   */
  total: number | null;
}

/**
 * Turns a run's events into progress lines, one per stage change or finished model (never one
 * per token): what an MCP client shows as progress and the OpenAI endpoint streams as reasoning.
 */
export class CouncilProgress {
  private models = 0;
  private mode: NonNullable<Extract<RunEvent, { type: 'run_started' }>['mode']> = 'full';
  private answered = 0;
  private reviewed = 0;
  private isDone = false;

  apply(event: RunEvent): ProgressStep | null {
    switch (event.type) {
      case 'run_started':
        this.models = event.models.length;
        this.mode = event.mode ?? 'full';
        return this.step(`The council of ${this.models} is answering…`);
      case 'model_completed':
        if (event.stage === 'stage3') {
          this.isDone = true;
          return this.step(`${event.model} (chairman) wrote the final answer.`);
        }
        this.answered += 1;
        return this.step(`${event.model} answered (${this.answered} of ${this.models})…`);
      case 'model_failed':
        if (event.stage === 'title') return null;
        return this.step(`${event.model} failed in ${stageName(event.stage)}: ${event.error.message}`);
      case 'model_late':
        return this.step(`${event.model} was too slow and is left out.`);
      case 'stage_started':
        if (event.stage === 'stage2') return this.step('Reviewing…');
        if (event.stage === 'stage3') return this.step('The chairman is writing the final answer…');
        return null;
      case 'review_completed':
        this.reviewed += 1;
        return this.step(`${event.reviewer} reviewed (${this.reviewed} of ${this.models})…`);
      case 'aggregate_ranked': {
        const best = event.aggregate[0]?.model;
        return best ? this.step(`Ranked by the council; ${best} came first.`) : null;
      }
      case 'run_failed':
        return this.step(`The council failed in ${stageName(event.stage)}: ${event.error.message}`);
      case 'run_cancelled':
        return this.step('The run was cancelled.');
      case 'run_interrupted':
        return this.step('The run was interrupted (the server stopped).');
      case 'model_delta':
      case 'model_reasoning':
      case 'stage_completed':
      case 'labels_assigned':
      case 'title_completed':
      case 'run_completed':
        return null;
    }
  }

  private step(message: string): ProgressStep {
    const stagesPerModel = this.mode === 'answers' ? 1 : 2;
    const total = this.models > 0 ? this.models * stagesPerModel + (this.mode === 'full' ? 1 : 0) : null;
    return { message, progress: this.answered + this.reviewed + (this.isDone ? 1 : 0), total };
  }
}

function stageName(stage: string): string {
  return stage === 'stage1' ? 'answering' : stage === 'stage2' ? 'review' : stage === 'stage3' ? 'synthesis' : stage;
}
