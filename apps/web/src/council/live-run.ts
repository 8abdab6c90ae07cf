import { createSignal, onCleanup } from 'solid-js';
import { createStore, reconcile, unwrap } from 'solid-js/store';
import { describeError } from '../ui/describe-error';
import { applyEvent } from './apply-event';
import type { CouncilApi } from './council-api';
import type { CouncilEvent } from './council-types';
import { createRunState, isLive, type RunState } from './run-state';

/**
 * `reconnecting`: the stream dropped (a server restarting, a network blip) and the client is
 * re-subscribing on its own from the last event it saw; `lost`: the server refused the stream
 * (signed out, run gone), which no retry can change.
 */
export type Connection = 'idle' | 'following' | 'reconnecting' | 'lost';

/** Waits between automatic reconnects: 0.5 s, doubling, at most 10 s. */
const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 10_000;
/** tRPC error codes that mean "do not try again". */
const REFUSALS = new Set(['UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'BAD_REQUEST']);

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
 * A run's state in a Solid store, fed by its event stream through `applyEvent`. The reducer
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
  let subscription: { unsubscribe: () => void } | undefined;
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  let reconnectDelayMs = RECONNECT_MIN_MS;

  const reconnectLater = () => {
    setConnection('reconnecting');
    clearTimeout(reconnectTimer);
    reconnectTimer = setTimeout(() => follow(true), reconnectDelayMs);
    reconnectDelayMs = Math.min(reconnectDelayMs * 2, RECONNECT_MAX_MS);
  };

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

  const follow = (isReconnect = false) => {
    subscription?.unsubscribe();
    clearTimeout(reconnectTimer);
    if (!isReconnect) reconnectDelayMs = RECONNECT_MIN_MS;
    setConnection(isReconnect ? 'reconnecting' : 'following');
    setConnectionError(null);
    const input = lastEventId === undefined ? { runId: state.runId } : { runId: state.runId, lastEventId };
    subscription = api.events.subscribe(input, {
      onData: (item) => {
        lastEventId = item.id;
        setConnection('following');
        reconnectDelayMs = RECONNECT_MIN_MS;
        const current = unwrap(state);
        const next = applyEvent(current, item.data);
        if (next === current) return;
        // Read before `reconcile`, which updates `current` (the store's own object) in place.
        const hasEnded = isLive(current.status) && !isLive(next.status);
        setState(reconcile(next));
        if (!isLive(next.status)) setStopping(false);
        if (hasEnded) loadUsage();
        onEvent?.(item.data.event);
      },
      onError: (error) => {
        const code = (error as { data?: { code?: string } } | null)?.data?.code;
        if (code === undefined || !REFUSALS.has(code)) {
          reconnectLater();
          return;
        }
        setConnection('lost');
        setConnectionError(describeError(error).message);
      },
      onComplete: () => setConnection('idle'),
    });
  };

  onCleanup(() => {
    clearTimeout(reconnectTimer);
    subscription?.unsubscribe();
  });

  return {
    state,
    connection,
    connectionError,
    follow: () => follow(),
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
        setState(reconcile(createRunState({ runId, models: state.models, chairmanModel: state.chairmanModel })));
      } else {
        setState('status', 'queued');
      }
      follow();
    },
  };
}
