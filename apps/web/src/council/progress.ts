import { shortModelName } from './model-names';
import { isLive, type RunState } from './run-state';

export type ChipStatus = 'waiting' | 'streaming' | 'done' | 'failed' | 'late' | 'stopped' | 'skipped';

export interface ProgressChip {
  key: string;
  model: string;
  isChairman: boolean;
  status: ChipStatus;
  /** What the model is doing, in words ("answering", "reviewing", "failed"). */
  activity: string;
  /** The failure's reason, shown as text and as the tooltip. */
  reason: string | null;
}

/**
 * One chip per council member and one for the chairman. A member's chip follows it through the
 * stages: answering in stage 1, reviewing in stage 2 (reviews do not stream, so "reviewing" is
 * the active state until the review lands), then done.
 */
export function progressChips(s: RunState): ProgressChip[] {
  const isOver = !isLive(s.status);
  const members = s.models.map((model): ProgressChip => {
    const base = { key: `member:${model}`, model, isChairman: false };
    const answer = s.stage1[model];
    const review = s.stage2[model];
    if (!answer || answer.status === 'waiting') {
      return {
        ...base,
        status: isOver ? 'skipped' : 'waiting',
        activity: isOver ? 'not reached' : 'waiting',
        reason: null,
      };
    }
    if (answer.status === 'streaming') {
      const activity = answer.text === '' && answer.reasoning !== '' ? 'thinking' : 'answering';
      return { ...base, status: 'streaming', activity, reason: null };
    }
    if (answer.status === 'failed')
      return { ...base, status: 'failed', activity: 'failed', reason: answer.error?.message ?? null };
    if (answer.status === 'stopped') return { ...base, status: 'stopped', activity: 'stopped', reason: null };
    if (answer.status === 'late') return { ...base, status: 'late', activity: 'late, left out', reason: null };
    // Stage 1 done: stage 2 decides what the chip says next.
    if (s.phases.stage2 === 'pending' || !review)
      return { ...base, status: 'done', activity: 'answered', reason: null };
    switch (review.status) {
      case 'waiting':
      case 'streaming':
        return { ...base, status: 'streaming', activity: 'reviewing', reason: null };
      case 'failed':
        return { ...base, status: 'failed', activity: 'review failed', reason: review.error?.message ?? null };
      case 'stopped':
        return { ...base, status: 'stopped', activity: 'stopped', reason: null };
      case 'late':
        return { ...base, status: 'late', activity: 'review late, left out', reason: null };
      case 'done':
        return { ...base, status: 'done', activity: 'reviewed', reason: null };
    }
  });

  const chairman = s.stage3;
  const chairmanBase = { key: `chairman:${s.chairmanModel}`, model: s.chairmanModel, isChairman: true };
  let chairmanChip: ProgressChip;
  if (s.phases.stage3 === 'pending') {
    chairmanChip = {
      ...chairmanBase,
      status: isOver ? 'skipped' : 'waiting',
      activity: isOver ? 'not reached' : 'waiting',
      reason: null,
    };
  } else {
    const activity = {
      waiting: 'reading',
      streaming: 'writing',
      done: 'done',
      failed: 'failed',
      late: 'late',
      stopped: 'stopped',
    };
    chairmanChip = {
      ...chairmanBase,
      status: chairman.status === 'waiting' ? 'streaming' : chairman.status,
      activity: activity[chairman.status],
      reason: chairman.status === 'failed' ? (chairman.error?.message ?? null) : null,
    };
  }
  return [...members, chairmanChip];
}

/** One sentence on where the run is, for the `aria-live` status line. */
export function progressSummary(s: RunState): string {
  const answered = s.models.filter((m) => s.stage1[m]?.status === 'done').length;
  const reviews = Object.values(s.stage2);
  const reviewed = reviews.filter((r) => r.status === 'done').length;
  switch (s.status) {
    case 'queued':
      return 'Convening the council…';
    case 'completed':
      return 'The council has answered.';
    case 'failed':
      return `The run failed${s.error ? `: ${s.error.message}` : '.'}`;
    case 'cancelled':
      return 'Stopped. Whatever finished is kept below.';
    case 'interrupted':
      return 'The run was interrupted (the server restarted). Retry to finish it.';
    case 'running':
      if (s.phases.stage3 === 'running')
        return `Stage 3 of 3 · ${shortModelName(s.chairmanModel)} is writing the final answer`;
      if (s.phases.stage2 === 'running' || s.phases.stage1 === 'done')
        return `Stage 2 of 3 · peer review: ${reviewed} of ${reviews.length || answered} reviews in`;
      return `Stage 1 of 3 · collecting answers: ${answered} of ${s.models.length} done`;
  }
}
