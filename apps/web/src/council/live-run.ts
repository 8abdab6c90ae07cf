import { applyRunEvent, followRun } from '@llm-council/sdk';
import { createSignal, onCleanup } from 'solid-js';
import { createStore, produce, reconcile, unwrap, type SetStoreFunction } from 'solid-js/store';
import { describeError } from '../ui/describe-error';
import type { CouncilApi } from './council-api';
import type { CouncilEvent, CouncilEventEnvelope } from './council-types';
import { createRunState, emptyAnswer, isLive, type RunState } from './run-state';

/**
 * `reconnecting`: the stream dropped (a server restarting, a network blip) and the client is
 * re-subscribing on its own from the last event it saw; `lost`: the server refused the stream
 * (signed out, run gone), or it stayed away through every reconnect of the SDK's policy.
 */
export type Connection = 'idle' | 'following' | 'reconnecting' | 'lost';

export interface LiveRun {
  state: RunState;
  connection: () => Connection;
  connectionError: () => string | null;
  /** Subscribes to the run's events: from the start the first time, then from the last event seen. */
  follow: () => void;
  /** Asks the server to stop the run; the stream then delivers `run_cancelled`. */
  stop: () => Promise<void>;
  /** Re-runs what failed; follows the (possibly new) run. */
  retry: () => Promise<void>;
  isStopping: () => boolean;
}

/**
 * A run's state in a Solid store, fed by its event stream (the SDK's `followRun`). Streamed text
 * — nearly every event of a run — is appended in place by `applyToRunStore`, so one delta updates
 * one answer's text and nothing else; the rarer events go through the SDK's `applyRunEvent`, and
 * `reconcile` writes what they changed. Must be created under an owner (the run's view), which
 * ends the subscription when it unmounts.
 */
export function createLiveRun(api: CouncilApi, initial: RunState, onEvent?: (event: CouncilEvent) => void): LiveRun {
  const [state, setState] = createStore<RunState>(initial);
  const [connection, setConnection] = createSignal<Connection>('idle');
  const [connectionError, setConnectionError] = createSignal<string | null>(null);
  const [isStopping, setStopping] = createSignal(false);
  let lastEventId: string | undefined;
  let following: AbortController | undefined;

  // The run's total tokens and cost are summed by the server once it ends (the events carry each
  // call's usage, not the total). Without them the footer simply stays hidden: nothing to retry.
  const loadUsage = () => {
    api.get
      .query({ runId: state.runId })
      .then((record) => {
        if (record.id === state.runId) setState('usage', record.usage);
      })
      .catch(() => undefined);
  };

  /** Follows through the SDK's `followRun`: its reconnect policy and error categories. */
  const follow = async () => {
    following?.abort();
    const controller = new AbortController();
    following = controller;
    setConnection('following');
    setConnectionError(null);
    const runId = state.runId;
    try {
      for await (const envelope of followRun({ council: api }, runId, {
        ...(lastEventId === undefined ? {} : { lastEventId }),
        signal: controller.signal,
        onReconnecting: () => setConnection('reconnecting'),
      })) {
        lastEventId = String(envelope.seq);
        setConnection('following');
        const wasLive = isLive(state.status);
        if (!applyToRunStore(state, setState, envelope)) continue;
        if (!isLive(state.status)) setStopping(false);
        if (wasLive && !isLive(state.status)) loadUsage();
        onEvent?.(envelope.event);
      }
      if (!controller.signal.aborted) setConnection('idle');
    } catch (error) {
      if (controller.signal.aborted) return;
      setConnection('lost');
      setConnectionError(describeError(error).message);
    }
  };

  onCleanup(() => following?.abort());

  return {
    state,
    connection,
    connectionError,
    follow: () => void follow(),
    isStopping,
    async stop() {
      setStopping(true);
      try {
        await api.cancel.mutate({ runId: state.runId });
      } catch (error) {
        setStopping(false);
        throw error;
      }
    },
    async retry() {
      const { runId } = await api.retry.mutate({ runId: state.runId });
      if (runId !== state.runId) {
        // A new run: start its stream from the beginning.
        lastEventId = undefined;
        setState(
          reconcile(
            createRunState({ runId, models: state.models, chairmanModel: state.chairmanModel, mode: state.mode }),
          ),
        );
      } else {
        setState('status', 'queued');
      }
      void follow();
    },
  };
}

type StreamedEvent = Extract<CouncilEvent, { type: 'model_delta' | 'model_reasoning' }>;

/**
 * Applies one event to a run's store; false when the event was not for it or already applied.
 * The result is the SDK reducer's (a test holds them equal); streamed text takes a shortcut that
 * touches only its slot.
 */
export function applyToRunStore(
  state: RunState,
  setState: SetStoreFunction<RunState>,
  envelope: CouncilEventEnvelope,
): boolean {
  if (envelope.runId !== state.runId || envelope.seq <= state.lastSeq) return false;
  const { event } = envelope;
  if (event.type === 'model_delta' || event.type === 'model_reasoning') {
    setState(produce((run) => appendStreamed(run, envelope.seq, event)));
    return true;
  }
  setState(reconcile(applyRunEvent(unwrap(state), envelope)));
  return true;
}

/** What `applyRunEvent` does for a delta or a piece of thinking, done in place. */
function appendStreamed(run: RunState, seq: number, event: StreamedEvent): void {
  // Any event after the first means the server is working on it.
  if (run.status === 'queued') run.status = 'running';
  run.lastSeq = seq;
  if (event.stage === 'stage3' && run.stage3.model !== event.model) run.stage3 = emptyAnswer(event.model);
  if (event.stage === 'stage1' && !run.stage1[event.model]) run.stage1[event.model] = emptyAnswer(event.model);
  const slot = event.stage === 'stage3' ? run.stage3 : run.stage1[event.model];
  if (!slot) return;
  if (event.type === 'model_delta') {
    slot.status = 'streaming';
    slot.text += event.text;
  } else {
    // Thinking is progress: the slot is under way before its first word.
    if (slot.status === 'waiting') slot.status = 'streaming';
    slot.reasoning += event.text;
  }
}
