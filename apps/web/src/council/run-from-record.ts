import type { RunRecord } from './council-types';
import {
  createRunState,
  emptyAnswer,
  isLive,
  stopInFlight,
  type RunState,
  type SlotStatus,
  type StagePhase,
} from './run-state';

/**
 * A late model, and an answer cut off by a stop (its text as far as it had streamed), are stored
 * as failures with their own codes (the row status has two values).
 */
function slotStatus(status: 'completed' | 'failed', error?: { code: string } | null): SlotStatus {
  if (status === 'completed') return 'done';
  if (error?.code === 'MODEL_LATE') return 'late';
  return error?.code === 'MODEL_STOPPED' ? 'stopped' : 'failed';
}

/**
 * The state of a run as stored by the server (`conversations.get` → `runs`). A finished run
 * renders completely from this — names, rankings and the street-cred table included — without
 * replaying its events. A live run starts from here and then follows its event stream, whose
 * `run_started` resets whatever this guessed.
 */
export function runFromRecord(record: RunRecord): RunState {
  const base = createRunState({
    runId: record.id,
    models: record.models,
    chairmanModel: record.chairmanModel,
    mode: record.mode,
    status: record.status,
    attempt: record.attempt,
  });
  const stage1 = { ...base.stage1 };
  for (const answer of record.stage1) {
    stage1[answer.model] = {
      model: answer.model,
      status: slotStatus(answer.status, answer.error),
      text: answer.content ?? '',
      reasoning: answer.reasoning ?? '',
      error: answer.error,
      usage: answer.usage,
      durationMs: answer.durationMs,
      sources: answer.sources,
    };
  }
  const stage2: RunState['stage2'] = {};
  for (const review of record.stage2) {
    stage2[review.reviewer] = {
      reviewer: review.reviewer,
      status: slotStatus(review.status, review.error),
      content: review.content ?? '',
      parsedRanking: review.parsedRanking,
      error: review.error,
      shownOrder: review.shownOrder,
      rankingStatus: review.rankingStatus,
      repaired: review.repaired,
      repairContent: review.repairContent ?? null,
      selfRank: review.selfRank,
    };
  }
  const stage3 = record.stage3
    ? {
        ...emptyAnswer(record.stage3.model),
        status: slotStatus(record.stage3.status, record.stage3.error),
        text: record.stage3.content ?? '',
        reasoning: record.stage3.reasoning ?? '',
        error: record.stage3.error,
        usage: record.stage3.usage,
        durationMs: record.stage3.durationMs,
      }
    : base.stage3;

  const failedStage = record.error?.stage;
  const phase = (key: 'stage1' | 'stage2' | 'stage3', hasResults: boolean): StagePhase => {
    if (failedStage === key) return 'failed';
    if (record.status === 'completed') return 'done';
    return hasResults ? 'done' : 'pending';
  };
  const hasStage3 = record.stage3?.status === 'completed';
  // A synthesis cut off by a stop reads as the stage it was in: running, then stopped below.
  const hasStage3Failed = record.stage3?.status === 'failed' && stage3.status !== 'stopped';
  const state: RunState = {
    ...base,
    stage1,
    stage2,
    stage3,
    chairmanFailure: record.chairmanFailure ?? null,
    title: record.title,
    usage: record.usage,
    labelToModel: record.labelToModel ?? {},
    aggregate: record.aggregate ?? [],
    verdict: record.verdict,
    agreement: record.agreement,
    allVotes: record.allVotes ?? [],
    error: record.error,
    phases: {
      stage1: phase('stage1', record.stage1.length > 0 && record.labelToModel !== null),
      stage2: phase('stage2', record.aggregate !== null),
      stage3: hasStage3Failed ? 'failed' : phase('stage3', hasStage3),
    },
  };
  if (isLive(record.status) || record.status === 'completed') return state;
  // A stopped, failed or interrupted run reads as it did live once its last event arrived: the
  // stage it was in stopped, and every model still waiting stopped with it (nothing animates).
  const phases = { ...state.phases };
  const current = (['stage1', 'stage2', 'stage3'] as const).find((key) => phases[key] === 'pending');
  if (current && (current === 'stage1' || phases[current === 'stage2' ? 'stage1' : 'stage2'] === 'done')) {
    phases[current] = 'running';
  }
  if (current === 'stage3' && state.stage3.status !== 'stopped') state.stage3 = { ...state.stage3, status: 'waiting' };
  return stopInFlight({ ...state, phases });
}
