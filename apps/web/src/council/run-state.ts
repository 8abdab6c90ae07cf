import { isRetryableRunStatus, type RunState } from '@llm-council/sdk';

// A run's state and its reducer live in the SDK (one client core for the web client and the CLI);
// the council views import them from here.
export {
  createRunState,
  emptyAnswer,
  emptyReview,
  isLive,
  type AnswerSlot,
  type ReviewSlot,
  type RunState,
  type SlotStatus,
  type StagePhase,
} from '@llm-council/sdk';

/** Failed, cancelled and interrupted runs can be resumed with `council.retry`. */
export function isRetryable(state: Pick<RunState, 'status'>): boolean {
  return isRetryableRunStatus(state.status);
}

/** After a terminal event nothing is streaming any more: whatever was in flight stopped. */
export function stopInFlight(s: RunState): RunState {
  const stop = <T extends { status: string }>(slot: T): T =>
    slot.status === 'waiting' || slot.status === 'streaming' ? { ...slot, status: 'stopped' } : slot;
  const phases = { ...s.phases };
  for (const key of ['stage1', 'stage2', 'stage3'] as const) if (phases[key] === 'running') phases[key] = 'stopped';
  const touchedStage3 = s.phases.stage3 !== 'pending';
  return {
    ...s,
    phases,
    stage1: mapValues(s.stage1, stop),
    stage2: mapValues(s.stage2, stop),
    stage3: touchedStage3 ? stop(s.stage3) : s.stage3,
  };
}

function mapValues<T>(record: Record<string, T>, fn: (value: T) => T): Record<string, T> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, fn(value)]));
}
