import { onTestFinished } from 'vitest';
import { startFakeUpstream } from '../fake-upstream/fake-upstream.server.js';
import type { FakeUpstreamOptions } from '../fake-upstream/fake-upstream.types.js';
import { createChatClient } from './chat-client.js';
import { UpstreamError } from './upstream.errors.js';
import type { ChatClientOptions, ChatMessage } from './upstream.types.js';

// What the chat client's tests share, whichever transport they read streams through.

export const apiKey = 'sk-or-v1-test-key-0123456789';
export const messages: ChatMessage[] = [{ role: 'user', content: 'Why is the sky blue?' }];

/** A fake upstream closed when the test ends. */
export async function startUpstream(options?: FakeUpstreamOptions) {
  const upstream = await startFakeUpstream(options);
  onTestFinished(() => upstream.close());
  return upstream;
}

/** Client with small timeouts and a sleep that records instead of waiting. */
export function clientFor(baseUrl: string, overrides: Partial<ChatClientOptions> = {}) {
  const sleeps: number[] = [];
  const client = createChatClient({
    baseUrl,
    apiKey,
    timeouts: { firstTokenMs: 2_000, idleMs: 2_000, totalMs: 10_000 },
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    ...overrides,
  });
  return { ...client, sleeps };
}

/** The `UpstreamError` a call failed with (a call that succeeds, or fails otherwise, fails the test). */
export async function failureOf(promise: Promise<unknown>): Promise<UpstreamError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(error instanceof UpstreamError)) throw new Error(`expected an UpstreamError, got ${String(error)}`);
  return error;
}
