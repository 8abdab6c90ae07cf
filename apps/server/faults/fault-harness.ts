import type { RunEventEnvelope } from '@llm-council/sdk';
import { expect } from 'vitest';
import {
  COUNCIL,
  councilReply,
  followToEnd,
  isTerminal,
  signUpWithKey,
  type ReceivedEvent,
} from '../test/helpers/council-harness.js';
import type { TestServer } from '../test/helpers/test-server.js';
import type { FakeUpstream } from '@llm-council/council/fake-upstream';

/** Every council model and the chairman stream `words` words, `tokenDelayMs` apart. */
export function longAnswers(upstream: FakeUpstream, words: number, tokenDelayMs: number): void {
  const answer = Array.from({ length: words }, (_, i) => `w${i}`).join(' ');
  for (const model of COUNCIL)
    upstream.setBehavior(model, { tokenDelayMs, reply: councilReply({ answer: () => answer }) });
}

export interface FollowedRun {
  runId: string;
  user: Awaited<ReturnType<typeof signUpWithKey>>;
  /** What each subscriber received, one list per host. */
  subscribers: Promise<ReceivedEvent[]>[];
}

/**
 * Starts `count` runs on `hostA` (a few users, a few runs each) and follows every one from each
 * of `hosts`, as a browser would (the SDK reconnects and resumes by itself). `onEvent` sees what
 * the first host's subscribers receive, to time a fault.
 */
export async function startFollowedRuns(
  hostA: TestServer,
  hosts: TestServer[],
  count: number,
  onEvent: (envelope: RunEventEnvelope) => void,
): Promise<FollowedRun[]> {
  const users = await Promise.all(Array.from({ length: Math.ceil(count / 3) }, () => signUpWithKey(hostA)));
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const user = users[i % users.length]!;
      const { id } = await user.client.conversations.create.mutate({});
      const { runId } = await user.client.council.start.mutate({ conversationId: id, content: `Fault ${i}?` });
      const subscribers = hosts.map((host, h) =>
        followToEnd(user.clientFor(host), runId, {
          timeoutMs: 120_000,
          maxReconnects: 50,
          maxLagMs: Number.POSITIVE_INFINITY, // events queued through an outage are stored late by design
          ...(h === 0 ? { onEvent } : {}),
        }),
      );
      return { runId, user, subscribers };
    }),
  );
}

/**
 * After the fault: every run ended `completed` or `interrupted`, every subscriber received the
 * stored log exactly once and in order up to the run's end, an interrupted run completes after
 * `council.retry`, and in every attempt each model's deltas add up to its answer.
 */
export async function expectNothingLost(runs: FollowedRun[]): Promise<{ completed: number; interrupted: number }> {
  let completed = 0;
  let interrupted = 0;
  for (const { runId, user, subscribers } of runs) {
    const seen = await Promise.all(subscribers);
    const firstEnd = seen[0]?.at(-1)?.event.type;
    expect(['run_completed', 'run_interrupted']).toContain(firstEnd);
    if (firstEnd === 'run_interrupted') {
      interrupted += 1;
      await user.client.council.retry.mutate({ runId });
    } else {
      completed += 1;
    }
    const stored = strip(
      await followToEnd(user.client, runId, { timeoutMs: 60_000, maxLagMs: Number.POSITIVE_INFINITY }),
    );
    expect(stored.at(-1)?.event.type).toBe('run_completed');
    expect(stored.map((e) => e.seq)).toEqual(stored.map((_, i) => i + 1));
    for (const events of seen) {
      expect(isTerminal(events.at(-1))).toBe(true);
      expect(strip(events)).toEqual(stored.slice(0, events.length));
    }
    expectDeltasMatchAnswers(stored);
  }
  return { completed, interrupted };
}

function strip(events: ReceivedEvent[]): RunEventEnvelope[] {
  return events.map(({ receivedAt: _receivedAt, ...envelope }) => envelope);
}

/** Within each attempt, the deltas of a model that streamed join to exactly its completed answer. */
function expectDeltasMatchAnswers(log: RunEventEnvelope[]): void {
  let joined = new Map<string, string>();
  for (const { event } of log) {
    if (event.type === 'run_started') joined = new Map();
    if (event.type === 'model_delta') {
      const key = `${event.stage}:${event.model}`;
      joined.set(key, (joined.get(key) ?? '') + event.text);
    }
    if (event.type === 'model_completed' && event.durationMs > 0) {
      expect(joined.get(`${event.stage}:${event.model}`), `${event.stage} ${event.model}`).toBe(event.content);
    }
  }
}
