import type { RunEventEnvelope } from './ask.js';
import {
  createRunState,
  emptyAnswer,
  emptyReview,
  type AnswerSlot,
  type RunState,
  type StagePhase,
} from './run-state.js';

/**
 * The one place run state changes: returns the state after `envelope`, never mutating `state`.
 * The web client's live view, a resumed subscription, a full replay after reload, the CLI and
 * `askCouncil` all feed the same events through here, so they cannot disagree. Events at or
 * below `lastSeq` were applied already (a reconnect replays from the last id it saw) and leave
 * the state untouched.
 *
 * @example
 * let state = createRunState({ runId, models: [], chairmanModel: '' });
 * for await (const envelope of client.followRun(runId)) state = applyRunEvent(state, envelope);
 * console.log(state.stage3.text, state.aggregate);
 */
export function applyRunEvent(state: RunState, envelope: RunEventEnvelope): RunState {
  if (envelope.runId !== state.runId || envelope.seq <= state.lastSeq) return state;
  const next = reduce(state, envelope);
  return { ...next, lastSeq: envelope.seq };
}

function reduce(state: RunState, { event }: RunEventEnvelope): RunState {
  // Any event after the first means the server is working on it.
  const s: RunState = state.status === 'queued' ? { ...state, status: 'running' } : state;
  switch (event.type) {
    case 'run_started':
      // Each attempt's stream stands on its own (a retry replays reused answers), so start clean.
      return {
        ...createRunState({
          runId: s.runId,
          models: event.models,
          chairmanModel: event.chairmanModel,
          mode: event.mode ?? 'full',
        }),
        status: 'running',
        attempt: event.attempt,
        title: s.title,
      };
    case 'stage_started':
      if (event.stage === 'title') return s;
      if (event.stage === 'stage2') {
        const reviewers = Object.values(s.labelToModel);
        const stage2 = Object.fromEntries(reviewers.map((r) => [r, emptyReview(r)]));
        return { ...s, stage2, phases: { ...s.phases, stage2: 'running' } };
      }
      if (event.stage === 'stage3') {
        return { ...s, stage3: emptyAnswer(s.chairmanModel), phases: { ...s.phases, stage3: 'running' } };
      }
      return withPhase(s, 'stage1', 'running');
    case 'model_delta':
      return updateAnswer(s, event.stage, event.model, (slot) => ({
        ...slot,
        status: 'streaming',
        text: slot.text + event.text,
      }));
    case 'model_reasoning':
      // Thinking is progress: the slot is under way before its first word.
      return updateAnswer(s, event.stage, event.model, (slot) => ({
        ...slot,
        status: slot.status === 'waiting' ? 'streaming' : slot.status,
        reasoning: slot.reasoning + event.text,
      }));
    case 'model_completed':
      return updateAnswer(s, event.stage, event.model, (slot) => ({
        ...slot,
        status: 'done',
        text: event.content,
        error: null,
        usage: event.usage,
        durationMs: event.durationMs,
        sources: event.sources ?? [],
      }));
    case 'model_failed':
      if (event.stage === 'title') return s;
      if (event.stage === 'stage2') {
        const slot = s.stage2[event.model] ?? emptyReview(event.model);
        return { ...s, stage2: { ...s.stage2, [event.model]: { ...slot, status: 'failed', error: event.error } } };
      }
      return updateAnswer(
        event.stage === 'stage3' && event.model === s.chairmanModel
          ? { ...s, chairmanFailure: { model: event.model, error: event.error } }
          : s,
        event.stage,
        event.model,
        (slot) => ({ ...slot, status: 'failed', error: event.error }),
      );
    case 'review_completed': {
      const slot = s.stage2[event.reviewer] ?? emptyReview(event.reviewer);
      // Events stored before peer-only counting lack the review details: absent means unknown.
      const review = {
        ...slot,
        status: 'done' as const,
        content: event.content,
        parsedRanking: event.parsedRanking,
        shownOrder: event.shownOrder ?? [],
        rankingStatus: event.rankingStatus ?? null,
        repaired: event.repaired ?? false,
        repairContent: event.repairContent ?? null,
        selfRank: event.selfRank ?? null,
      };
      return { ...s, stage2: { ...s.stage2, [event.reviewer]: review } };
    }
    case 'model_late': {
      const error = { code: 'MODEL_LATE', message: 'Missed the deadline; left out of the rest of the run.' };
      if (event.stage === 'stage2') {
        const slot = s.stage2[event.model] ?? emptyReview(event.model);
        return { ...s, stage2: { ...s.stage2, [event.model]: { ...slot, status: 'late', error } } };
      }
      return updateAnswer(s, 'stage1', event.model, (slot) => ({ ...slot, status: 'late', error }));
    }
    case 'stage_completed':
      return event.stage === 'title' ? s : withPhase(s, event.stage, 'done');
    case 'labels_assigned':
      return { ...s, labelToModel: event.labelToModel };
    case 'aggregate_ranked':
      return {
        ...s,
        aggregate: event.aggregate,
        verdict: event.verdict ?? null,
        agreement: event.agreement ?? null,
        allVotes: event.allVotes ?? [],
      };
    case 'title_completed':
      return { ...s, title: event.title };
    case 'run_completed':
      return { ...s, status: 'completed' };
    case 'run_failed': {
      const failed = stopInFlight({ ...s, status: 'failed', error: { ...event.error, stage: event.stage } });
      return event.stage === 'title' ? failed : withPhase(failed, event.stage, 'failed');
    }
    case 'run_cancelled':
      return stopInFlight({ ...s, status: 'cancelled' });
    case 'run_interrupted':
      return stopInFlight({ ...s, status: 'interrupted' });
  }
}

function withPhase(s: RunState, stage: keyof RunState['phases'], phase: StagePhase): RunState {
  return { ...s, phases: { ...s.phases, [stage]: phase } };
}

function updateAnswer(
  s: RunState,
  stage: 'stage1' | 'stage3',
  model: string,
  update: (slot: AnswerSlot) => AnswerSlot,
): RunState {
  if (stage === 'stage3') return { ...s, stage3: update(s.stage3.model === model ? s.stage3 : emptyAnswer(model)) };
  const slot = s.stage1[model] ?? emptyAnswer(model);
  return { ...s, stage1: { ...s.stage1, [model]: update(slot) } };
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
