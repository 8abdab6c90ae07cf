import { applyRunEvent, followRun } from '@llm-council/sdk';
import { createSignal, onCleanup } from 'solid-js';
import { createStore, reconcile, unwrap } from 'solid-js/store';
import { describeError } from '../ui/describe-error';
import type { CouncilApi } from './council-api';
import type { CouncilEvent } from './council-types';
import { createRunState, isLive, type RunState } from './run-state';

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
 * A run's state in a Solid store, fed by its event stream (the SDK's `followRun`) through `applyRunEvent`. The reducer
 * returns a new state object; `reconcile` turns the difference into fine-grained updates, so a
 * delta for one model re-renders that model's text only. Must be created under an owner (a
 * component), which ends the subscription when it unmounts.
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
        const current = unwrap(state);
        const next = applyRunEvent(current, envelope);
        if (next === current) continue;
        // Read before `reconcile`, which updates `current` (the store's own object) in place.
        const hasEnded = isLive(current.status) && !isLive(next.status);
        setState(reconcile(next));
        if (!isLive(next.status)) setStopping(false);
        if (hasEnded) loadUsage();
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
