import { isRetryableRunStatus, type RunState } from '@llm-council/sdk';

// A run's state and its reducer live in the SDK (one client core for the web client and the CLI);
// the council views import them from here.
export {
  createRunState,
  emptyAnswer,
  emptyReview,
  isLive,
  standingAnswer,
  stopInFlight,
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
