import { createParser } from 'eventsource-parser';
import type { CouncilEvent, CouncilEventEnvelope } from '@llm-council/council';

/**
 * A deliberately thin tRPC-over-HTTP client for the load generator: plain `fetch` and an SSE
 * parser, so the benchmark spends as little of its own CPU as possible on the client side.
 */
export class BenchApi {
  constructor(
    readonly baseUrl: string,
    private readonly accessToken?: string,
  ) {}

  withToken(accessToken: string): BenchApi {
    return new BenchApi(this.baseUrl, accessToken);
  }

  /** The same user on another host. */
  on(baseUrl: string): BenchApi {
    return new BenchApi(baseUrl, this.accessToken);
  }

  mutate<T>(path: string, input: unknown): Promise<T> {
    return this.call<T>(
      path,
      fetch(`${this.baseUrl}/trpc/${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...this.authorization() },
        body: JSON.stringify(input),
      }),
    );
  }

  query<T>(path: string, input: unknown): Promise<T> {
    const search = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
    return this.call<T>(path, fetch(`${this.baseUrl}/trpc/${path}${search}`, { headers: this.authorization() }));
  }

  private async call<T>(path: string, request: Promise<Response>): Promise<T> {
    const response = await request;
    const body = (await response.json()) as {
      result?: { data: T };
      error?: { message: string; data?: { code?: string } };
    };
    if (!body.result)
      throw new Error(`${path}: ${body.error?.data?.code ?? response.status} ${body.error?.message ?? ''}`);
    return body.result.data;
  }

  /**
   * Follows `council.events` until the server ends the stream (the run is over) and calls
   * `onEvent` with each envelope. Rejects on a stream error.
   */
  async follow(runId: string, onEvent: (envelope: CouncilEventEnvelope) => void, signal: AbortSignal): Promise<void> {
    const input = encodeURIComponent(JSON.stringify({ runId }));
    const response = await fetch(`${this.baseUrl}/trpc/council.events?input=${input}`, {
      headers: { Accept: 'text/event-stream', ...this.authorization() },
      signal,
    });
    if (!response.ok || !response.body) throw new Error(`council.events: HTTP ${response.status}`);
    const state: { outcome: 'open' | 'ended' | Error } = { outcome: 'open' };
    const parser = createParser({
      onEvent: (message) => {
        if (message.event === 'return') state.outcome = 'ended';
        else if (message.event === 'serialized-error') state.outcome = new Error(`council.events: ${message.data}`);
        else if (message.event === undefined) onEvent(JSON.parse(message.data) as CouncilEventEnvelope);
      },
    });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    try {
      while (state.outcome === 'open') {
        const { done, value } = await reader.read();
        if (done) break;
        parser.feed(value);
      }
    } finally {
      await reader.cancel().catch(() => undefined); // the stream is finished with either way
    }
    if (state.outcome instanceof Error) throw state.outcome;
    if (state.outcome !== 'ended') throw new Error('council.events: the stream closed before the run ended');
  }

  private authorization(): Record<string, string> {
    return this.accessToken ? { Authorization: `Bearer ${this.accessToken}` } : {};
  }
}

export const terminalTypes: ReadonlySet<CouncilEvent['type']> = new Set([
  'run_completed',
  'run_failed',
  'run_cancelled',
  'run_interrupted',
]);
