import type { CouncilClient } from '@llm-council/sdk';
import { vi } from 'vitest';
import type { CouncilApi } from '../council/council-api';
import type { Conversation, CouncilEvent, TrackedCouncilEvent } from '../council/council-types';
import { runRecord } from './conversation-fixtures';
import { trackedEvents } from './council-events';

/** The total `council.get` reports for any run. */
export const RUN_USAGE = {
  promptTokens: 2000,
  completionTokens: 500,
  totalTokens: 2500,
  cost: 0.0421,
  isImported: false,
};

interface Observer {
  onData: (item: TrackedCouncilEvent) => void;
  onError: (error: unknown) => void;
  onComplete: () => void;
}

interface Subscription {
  input: { runId: string; lastEventId?: string | null };
  observer: Partial<Observer>;
  isClosed: boolean;
}

/**
 * The council procedures with a controllable event stream: tests decide when each event arrives,
 * which is how "text appears before the run finishes" and "resume after reload" are observed.
 * Everything else of the client is absent (the views under test use only `council.*`).
 */
export function createFakeCouncil() {
  const subscriptions: Subscription[] = [];
  const seqByRun = new Map<string, number>();
  const api = {
    models: { query: vi.fn() },
    start: {
      mutate: vi.fn((input: Record<string, unknown>) =>
        Promise.resolve({
          runId: 'run-new',
          messageId: 'message-new',
          conversationId: typeof input['conversationId'] === 'string' ? input['conversationId'] : 'c-new',
        }),
      ),
    },
    events: {
      subscribe: vi.fn((input: Subscription['input'], observer: Partial<Observer>) => {
        const subscription = { input, observer, isClosed: false };
        subscriptions.push(subscription);
        return { unsubscribe: () => (subscription.isClosed = true) };
      }),
    },
    edit: {
      mutate: vi.fn((input: { messageId: string }) =>
        Promise.resolve({ runId: 'run-edit', messageId: `${input.messageId}-edit`, conversationId: 'c-edit' }),
      ),
    },
    regenerate: {
      mutate: vi.fn(() =>
        Promise.resolve({ runId: 'run-again', messageId: 'message-again', conversationId: 'c-again' }),
      ),
    },
    cancel: { mutate: vi.fn(() => Promise.resolve({ ok: true })) },
    retry: { mutate: vi.fn((input: { runId: string }) => Promise.resolve({ runId: input.runId })) },
    // What the view asks once a run ends: its stored record, for the run's total usage.
    get: {
      query: vi.fn((input: { runId: string }) => Promise.resolve(runRecord({ id: input.runId, usage: RUN_USAGE }))),
    },
  };

  // What a branch switch or an edit reads back: tests set what the server would show next.
  const conversations = {
    get: { query: vi.fn<(input: { id: string }) => Promise<Conversation>>() },
    showVersion: { mutate: vi.fn<(input: { messageId: string }) => Promise<Conversation>>() },
  };

  return {
    api,
    conversations,
    // Only the procedures above exist; the cast is the price of tRPC's deeply generic client type.
    client: { council: api as unknown as CouncilApi, conversations } as unknown as CouncilClient,
    subscriptions,
    /** Delivers events to every open subscription of `runId`, numbered after the previous ones. */
    emit(runId: string, events: CouncilEvent[]) {
      const first = (seqByRun.get(runId) ?? 0) + 1;
      seqByRun.set(runId, first + events.length - 1);
      for (const item of trackedEvents(events, first, runId)) {
        for (const s of subscriptions) if (!s.isClosed && s.input.runId === runId) s.observer.onData?.(item);
      }
    },
  };
}
