import type { StageDeadlines } from './stage-gate.js';

/**
 * How the council runs its stages: deadlines, quorum and call settings. The server reads these
 * from its configuration; every field has a default suited to hosted models.
 */
export interface CouncilMethod {
  /** Keep waiting this long after a stage's first completion, once a quorum is in. */
  softDeadlineMs: number;
  /** No model may take longer than this in one stage. */
  hardDeadlineMs: number;
  /** Share of a stage's models that must be in before the soft deadline can end it (at least 2). */
  quorumRatio: number;
  /** Reviews are judgements, not writing: temperature 0 makes a reviewer's ranking repeatable. */
  reviewTemperature: number | null;
  maxTokens: { stage1: number | null; stage2: number | null; stage3: number | null };
  /** Show the chairman labels only, so it cannot lean on a model's reputation. */
  hideModelNamesFromChairman: boolean;
  /**
   * Random labels, per-reviewer reading order and peer-only counting. Only the bias benchmark turns
   * this off, to show the harness can detect the bias the controls remove.
   */
  biasControls: boolean;
}

export const defaultCouncilMethod: CouncilMethod = {
  softDeadlineMs: 90_000,
  hardDeadlineMs: 300_000,
  quorumRatio: 0.5,
  reviewTemperature: 0,
  maxTokens: { stage1: null, stage2: 4_000, stage3: null },
  hideModelNamesFromChairman: false,
  biasControls: true,
};

export function stageDeadlines(method: CouncilMethod, modelCount: number): StageDeadlines {
  return {
    softDeadlineMs: method.softDeadlineMs,
    hardDeadlineMs: method.hardDeadlineMs,
    quorum: Math.min(modelCount, Math.max(2, Math.ceil(method.quorumRatio * modelCount))),
  };
}
