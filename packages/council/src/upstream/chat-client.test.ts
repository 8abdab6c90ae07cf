import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, onTestFinished, test } from 'vitest';
import { startFakeUpstream } from '../fake-upstream/fake-upstream.server.js';
import { apiKey, clientFor as baseClientFor, failureOf, messages, startUpstream } from './chat-client.testing.js';
import { nodeTransport } from './node-transport.js';
import type { ChatClientOptions, UpstreamTransport } from './upstream.types.js';

// The chat client's wire rules — streaming, headers, retries, timeouts, cancels, limits — hold
// whichever transport reads the stream: `fetch` (the default, any runtime) and the server's
// byte-level node:http reader. Each case runs over both; the SSE framing cases of the node reader
// live in node-transport.test.ts, and the cases that need a hand-made `fetch` stay below.

const transports: { name: string; transport: UpstreamTransport | undefined }[] = [
  { name: 'fetch', transport: undefined },
  { name: 'node:http', transport: nodeTransport },
];

/** The shared test client, naming the app as the server does. */
const clientOver =
  (transport: UpstreamTransport | undefined) =>
  (baseUrl: string, overrides: Partial<ChatClientOptions> = {}) =>
    baseClientFor(baseUrl, {
      appUrl: 'https://council.example',
      appTitle: 'LLM Council',
      ...(transport ? { transport } : {}),
      ...overrides,
    });

describe.each(transports)('over $name', ({ transport }) => {
  const clientFor = clientOver(transport);

  test('chat streams deltas before it resolves and returns the whole content with usage and cost', async () => {
    const upstream = await startUpstream();
    upstream.setBehavior('m/streamer', { text: 'one two three four five', tokenDelayMs: 30, cost: 0.0012 });
    const { chat } = clientFor(upstream.url);

    const deltas: { text: string; at: number }[] = [];
    const result = await chat({
      model: 'm/streamer',
      messages,
      onDelta: (text) => deltas.push({ text, at: Date.now() }),
    });
    const resolvedAt = Date.now();

    expect(result.content).toBe('one two three four five');
    expect(deltas.map((d) => d.text).join('')).toBe(result.content);
    expect(deltas.length).toBe(5);
    expect(deltas[0]!.at).toBeLessThan(resolvedAt - 80);
    expect(result.finishReason).toBe('stop');
    expect(result.usage).toEqual({ promptTokens: 5, completionTokens: 5, totalTokens: 10, cost: 0.0012 });
  });

  test('reasoning streams apart from the answer, its tokens counted', async () => {
    const upstream = await startUpstream();
    upstream.setBehavior('m/thinker', { text: 'one two three', reasoning: 'let me see', tokenDelayMs: 5, cost: 0.5 });
    const deltas: string[] = [];
    const thoughts: string[] = [];
    const result = await clientFor(upstream.url).chat({
      model: 'm/thinker',
      messages,
      onDelta: (t) => deltas.push(t),
      onReasoning: (t) => thoughts.push(t),
    });
    expect(deltas).toEqual(['one ', 'two ', 'three']);
    expect(thoughts.join('')).toBe('let me see');
    expect(result.usage).toMatchObject({ completionTokens: 6, cost: 0.5, reasoningTokens: 3 });
  });

  test('chat sends the key, attribution headers and asks for streamed usage', async () => {
    const upstream = await startUpstream();
    const { chat } = clientFor(upstream.url);
    await chat({ model: 'm/any', messages, maxTokens: 100, temperature: 0.2 });

    const [request] = upstream.requests;
    expect(request?.authorization).toBe(`Bearer ${apiKey}`);
    expect(request?.headers['http-referer']).toBe('https://council.example');
    expect(request?.headers['x-openrouter-title']).toBe('LLM Council');
    expect(request?.headers['x-title']).toBe('LLM Council');
    expect(request?.stream).toBe(true);
    expect(request?.messages).toEqual(messages);
  });

  test('chat skips the OPENROUTER PROCESSING comments sent while the model thinks', async () => {
    const upstream = await startUpstream();
    // 600 ms of thinking means the fake sends three keep-alive comments before the first token.
    upstream.setBehavior('m/thinker', { text: 'done thinking', firstTokenMs: 600 });
    const { chat } = clientFor(upstream.url);
    const result = await chat({ model: 'm/thinker', messages });
    expect(result.content).toBe('done thinking');
  });

  test('an error chunk inside a 200 stream fails with UPSTREAM_STREAM_ERROR and is not retried', async () => {
    const upstream = await startUpstream();
    upstream.setBehavior('m/flaky', { text: 'a b c d e f', midStreamError: true });
    const { chat } = clientFor(upstream.url);
    const deltas: string[] = [];

    const error = await failureOf(chat({ model: 'm/flaky', messages, onDelta: (t) => deltas.push(t) }));
    expect(error.code).toBe('UPSTREAM_STREAM_ERROR');
    expect(deltas.join('')).toBe('a b c ');
    expect(upstream.requests).toHaveLength(1);
  });

  test('a chunk that is not JSON fails with UPSTREAM_MALFORMED', async () => {
    const upstream = await startUpstream();
    upstream.setBehavior('m/garbled', { text: 'a b c d', malformedChunk: true });
    const error = await failureOf(clientFor(upstream.url).chat({ model: 'm/garbled', messages }));
    expect(error.code).toBe('UPSTREAM_MALFORMED');
  });

  test('a 429 with Retry-After is retried after the requested wait, then succeeds', async () => {
    const upstream = await startUpstream();
    upstream.setBehavior('m/busy', { status: 429, failTimes: 1, retryAfterSec: 2, text: 'finally' });
    const { chat, sleeps } = clientFor(upstream.url);

    const result = await chat({ model: 'm/busy', messages });
    expect(result.content).toBe('finally');
    expect(upstream.requests).toHaveLength(2);
    expect(sleeps).toEqual([2_000]);
  });

  test('a Retry-After beyond the cap is not waited out', async () => {
    const upstream = await startUpstream();
    upstream.setBehavior('m/busy', { status: 429, failTimes: 1, retryAfterSec: 3600 });
    const { chat, sleeps } = clientFor(upstream.url);
    const error = await failureOf(chat({ model: 'm/busy', messages }));
    expect(error.code).toBe('UPSTREAM_RATE_LIMITED');
    expect(sleeps).toEqual([]);
    expect(upstream.requests).toHaveLength(1);
  });

  test('502 and 503 are retried at most twice with capped, jittered back-off', async () => {
    const upstream = await startUpstream();
    upstream.setBehavior('m/down', { status: 503 });
    const { chat, sleeps } = clientFor(upstream.url, {
      retry: { baseDelayMs: 500, maxDelayMs: 800 },
      random: () => 0.99,
    });

    const error = await failureOf(chat({ model: 'm/down', messages }));
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.status).toBe(503);
    expect(upstream.requests).toHaveLength(3);
    expect(sleeps).toEqual([495, 792]);
  });

  test.each([
    [401, 'UPSTREAM_AUTH'],
    [402, 'UPSTREAM_NO_CREDIT'],
    [403, 'UPSTREAM_MODERATION'],
    [400, 'UPSTREAM_BAD_REQUEST'],
    [500, 'UPSTREAM_UNAVAILABLE'],
  ] as const)('status %i fails at once as %s without a retry', async (status, code) => {
    const upstream = await startUpstream();
    upstream.setBehavior('m/refusing', { status });
    const error = await failureOf(clientFor(upstream.url).chat({ model: 'm/refusing', messages }));
    expect(error.code).toBe(code);
    expect(error.retryable).toBe(false);
    expect(upstream.requests).toHaveLength(1);
  });

  test('a rejected key gives a user-facing message that never contains the key', async () => {
    const upstream = await startUpstream({ keys: { 'some-other-key': { valid: true } } });
    const error = await failureOf(clientFor(upstream.url).chat({ model: 'm/any', messages }));
    expect(error.code).toBe('UPSTREAM_AUTH');
    expect(error.message).toBe('Your API key was rejected by the provider.');
    expect(JSON.stringify({ ...error, message: error.message })).not.toContain(apiKey);
  });

  test('a model that never sends a token fails with UPSTREAM_TIMEOUT after firstTokenMs, comments notwithstanding', async () => {
    const upstream = await startUpstream();
    upstream.setBehavior('m/hung', { hang: true });
    const { chat } = clientFor(upstream.url, { timeouts: { firstTokenMs: 400, idleMs: 5_000, totalMs: 10_000 } });

    const startedAt = Date.now();
    const error = await failureOf(chat({ model: 'm/hung', messages }));
    expect(error.code).toBe('UPSTREAM_TIMEOUT');
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(390);
    expect(Date.now() - startedAt).toBeLessThan(1_500);
    // Timeouts are not in the retry list: a stuck model would otherwise hold the run three times over.
    expect(upstream.requests).toHaveLength(1);
    await expect.poll(() => upstream.openRequests).toBe(0); // the connection was cut
  });

  test('a stream that stalls between chunks fails with UPSTREAM_TIMEOUT after idleMs', async () => {
    const upstream = await startUpstream();
    upstream.setBehavior('m/stalling', { text: 'slow words here', tokenDelayMs: 1_000 });
    const { chat } = clientFor(upstream.url, { timeouts: { firstTokenMs: 5_000, idleMs: 150, totalMs: 10_000 } });
    const deltas: string[] = [];

    const error = await failureOf(chat({ model: 'm/stalling', messages, onDelta: (t) => deltas.push(t) }));
    expect(error.code).toBe('UPSTREAM_TIMEOUT');
    expect(deltas).toEqual(['slow ']);
  });

  test('the total timeout bounds the whole call', async () => {
    const upstream = await startUpstream();
    upstream.setBehavior('m/slow', { text: 'a b c d e f g h', tokenDelayMs: 100 });
    const { chat } = clientFor(upstream.url, { timeouts: { firstTokenMs: 5_000, idleMs: 5_000, totalMs: 250 } });
    const error = await failureOf(chat({ model: 'm/slow', messages }));
    expect(error.code).toBe('UPSTREAM_TIMEOUT');
  });

  test('aborting the signal rejects with UPSTREAM_ABORTED within milliseconds', async () => {
    const upstream = await startUpstream();
    upstream.setBehavior('m/hung', { hang: true });
    const controller = new AbortController();
    const pending = clientFor(upstream.url).chat({ model: 'm/hung', messages, signal: controller.signal });

    await new Promise((resolve) => setTimeout(resolve, 100));
    const abortedAt = Date.now();
    controller.abort();
    const error = await failureOf(pending);
    expect(error.code).toBe('UPSTREAM_ABORTED');
    expect(Date.now() - abortedAt).toBeLessThan(100);
  });

  test('a cancel mid-stream rejects with UPSTREAM_ABORTED and hangs up', async () => {
    const upstream = await startUpstream();
    upstream.setBehavior('m/slow', { text: 'a b c d e f g h', tokenDelayMs: 200 });
    const controller = new AbortController();
    const pending = clientFor(upstream.url).chat({
      model: 'm/slow',
      messages,
      signal: controller.signal,
      onDelta: () => controller.abort(),
    });
    expect((await failureOf(pending)).code).toBe('UPSTREAM_ABORTED');
    await expect.poll(() => upstream.openRequests).toBe(0);
  });

  test('a timeout signal from the caller reports UPSTREAM_TIMEOUT rather than a cancel', async () => {
    const upstream = await startUpstream();
    upstream.setBehavior('m/hung', { hang: true });
    const pending = clientFor(upstream.url).chat({ model: 'm/hung', messages, signal: AbortSignal.timeout(100) });
    expect((await failureOf(pending)).code).toBe('UPSTREAM_TIMEOUT');
  });

  test('an unreachable server fails with UPSTREAM_NETWORK after the retries', async () => {
    const upstream = await startFakeUpstream();
    await upstream.close();
    const { chat, sleeps } = clientFor(upstream.url);
    const error = await failureOf(chat({ model: 'm/any', messages }));
    expect(error.code).toBe('UPSTREAM_NETWORK');
    expect(sleeps).toHaveLength(2);
  });

  // One answer and one error body are bounded.

  test('an answer longer than maxAnswerChars is stopped and fails with UPSTREAM_TOO_LONG, not retried', async () => {
    const upstream = await startUpstream();
    const words = Array.from({ length: 2_000 }, (_, i) => `w${i}`).join(' ');
    upstream.setBehavior('m/verbose', { text: words });
    const { chat, sleeps } = clientFor(upstream.url, { maxAnswerChars: 1_000 });
    let delivered = '';
    const error = await failureOf(chat({ model: 'm/verbose', messages, onDelta: (t) => (delivered += t) }));
    expect(error.code).toBe('UPSTREAM_TOO_LONG');
    expect(error.message).toMatch(/size limit/);
    expect(delivered.length).toBeLessThanOrEqual(1_000);
    expect(sleeps).toEqual([]);
    expect(upstream.requests).toHaveLength(1);
    // Within the limit, the same model answers in full.
    const { chat: roomy } = clientFor(upstream.url, { maxAnswerChars: words.length });
    expect((await roomy({ model: 'm/verbose', messages })).content).toBe(words);
  });

  test('an error response is read for at most 16 KiB: an endless error body still fails at once', async () => {
    let bytesSent = 0;
    let closed: () => void = () => undefined;
    const hasClosed = new Promise<void>((resolve) => (closed = resolve));
    const server = createServer((_req, res) => {
      res.writeHead(500, { 'Content-Type': 'text/html' });
      res.write(`<html>${'x'.repeat(1024)}`);
      bytesSent += 1024;
      // Never ends: a proxy's error page that streams forever.
      const timer = setInterval(() => {
        res.write('y'.repeat(1024));
        bytesSent += 1024;
      }, 2);
      res.on('close', () => {
        clearInterval(timer);
        closed();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;
    const { chat } = clientFor(`http://127.0.0.1:${port}/v1`, { retry: { maxRetries: 0 } });
    const startedAt = Date.now();
    const error = await failureOf(chat({ model: 'm/any', messages }));
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    expect(error.detail?.length).toBeLessThanOrEqual(500);
    await hasClosed; // the client hung up instead of reading on
    expect(bytesSent).toBeLessThan(1024 * 1024);
  });
});

// Cases that need a hand-made `fetch` (the default transport only).

const clientFor = clientOver(undefined);

test('provider text echoing the key is redacted from the error detail', async () => {
  const fakeFetch: typeof fetch = () =>
    Promise.resolve(
      new Response(JSON.stringify({ error: { code: 401, message: `Incorrect API key provided: ${apiKey}` } }), {
        status: 401,
        headers: { 'content-type': 'application/json' },
      }),
    );
  const error = await failureOf(
    clientFor('http://unused.invalid/v1', { fetch: fakeFetch }).chat({ model: 'm', messages }),
  );
  expect(error.detail).toContain('Incorrect API key provided');
  expect(error.detail).not.toContain(apiKey);
});

test('a server that ignores stream: true still works, its answer arriving as one delta', async () => {
  const fakeFetch: typeof fetch = () =>
    Promise.resolve(
      Response.json({
        choices: [{ message: { role: 'assistant', content: 'whole answer' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
      }),
    );
  const deltas: string[] = [];
  const result = await clientFor('http://unused.invalid/v1', { fetch: fakeFetch }).chat({
    model: 'm',
    messages,
    onDelta: (t) => deltas.push(t),
  });
  expect(deltas).toEqual(['whole answer']);
  expect(result.usage).toEqual({ promptTokens: 3, completionTokens: 2, totalTokens: 5, cost: null });
});
