import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, onTestFinished, test } from 'vitest';
import { runCouncil } from '../runner.js';
import type { CouncilEvent } from '../events.js';
import { createChatStreamReader } from './chat-stream.js';
import { nodeTransport } from './node-transport.js';
import { apiKey, clientFor as baseClientFor, failureOf, messages, startUpstream } from './chat-client.testing.js';
import type { ChatClientOptions, ChatResult } from './upstream.types.js';

// Issue 21 §3: the server reads upstream streams byte by byte over node:http. Every fault the fake
// upstream can produce, and the SSE framing a real provider may use, through that reader.

/** The shared test client, reading streams over node:http. */
const clientFor = (baseUrl: string, overrides: Partial<ChatClientOptions> = {}) =>
  baseClientFor(baseUrl, { transport: nodeTransport, ...overrides });

/** A server that answers every request with these byte chunks, each written on its own. */
async function rawUpstream(chunks: (string | Uint8Array)[], onClose?: () => void) {
  const server = createServer((_req, res: ServerResponse) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    res.on('close', () => onClose?.());
    void (async () => {
      for (const chunk of chunks) {
        res.write(chunk);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      res.end();
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
}

const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
  `data: ${JSON.stringify({ choices: [{ delta, finish_reason: finish }] })}`;

test('deltas, reasoning and usage stream through in order', async () => {
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
  expect(result.content).toBe('one two three');
  expect(deltas).toEqual(['one ', 'two ', 'three']);
  expect(thoughts.join('')).toBe('let me see');
  expect(result.finishReason).toBe('stop');
  expect(result.usage).toMatchObject({ completionTokens: 6, cost: 0.5, reasoningTokens: 3 });
  expect(upstream.requests[0]).toMatchObject({ stream: true, authorization: `Bearer ${apiKey}` });
});

test('a computed reply and keep-alive comments before the first token', async () => {
  const upstream = await startUpstream();
  upstream.setBehavior('m/echo', { reply: (m) => `you said: ${m.at(-1)?.content}`, firstTokenMs: 600 });
  const result = await clientFor(upstream.url).chat({ model: 'm/echo', messages });
  expect(result.content).toBe('you said: Why is the sky blue?');
});

test('a 429 fails twice then answers: retried after Retry-After', async () => {
  const upstream = await startUpstream();
  upstream.setBehavior('m/busy', { status: 429, failTimes: 2, retryAfterSec: 1, text: 'finally' });
  const { chat, sleeps } = clientFor(upstream.url);
  expect((await chat({ model: 'm/busy', messages })).content).toBe('finally');
  expect(sleeps).toEqual([1_000, 1_000]);
  expect(upstream.requests).toHaveLength(3);
});

test('a status that is not retried fails at once, its message read and the key redacted', async () => {
  const upstream = await startUpstream();
  upstream.setBehavior('m/denied', { status: 401 });
  const { chat, sleeps } = clientFor(upstream.url);
  const error = await failureOf(chat({ model: 'm/denied', messages }));
  expect(error.code).toBe('UPSTREAM_AUTH');
  expect(error.message).not.toContain(apiKey);
  expect(sleeps).toEqual([]);
});

test('a 503 is retried at most twice, then fails with UPSTREAM_UNAVAILABLE', async () => {
  const upstream = await startUpstream();
  upstream.setBehavior('m/down', { status: 503 });
  const { chat, sleeps } = clientFor(upstream.url);
  expect((await failureOf(chat({ model: 'm/down', messages }))).code).toBe('UPSTREAM_UNAVAILABLE');
  expect(sleeps).toHaveLength(2);
});

test('a hanging model fails with UPSTREAM_TIMEOUT after firstTokenMs, and the connection is cut', async () => {
  const upstream = await startUpstream();
  upstream.setBehavior('m/hung', { hang: true });
  const { chat } = clientFor(upstream.url, { timeouts: { firstTokenMs: 300, idleMs: 5_000, totalMs: 10_000 } });
  expect((await failureOf(chat({ model: 'm/hung', messages }))).code).toBe('UPSTREAM_TIMEOUT');
  expect(upstream.requests).toHaveLength(1);
  await expect.poll(() => upstream.openRequests).toBe(0);
});

test('a stall between tokens fails with UPSTREAM_TIMEOUT after idleMs, keeping what arrived', async () => {
  const upstream = await startUpstream();
  upstream.setBehavior('m/stalling', { text: 'slow words here', tokenDelayMs: 1_000 });
  const { chat } = clientFor(upstream.url, { timeouts: { firstTokenMs: 5_000, idleMs: 150, totalMs: 10_000 } });
  const deltas: string[] = [];
  const error = await failureOf(chat({ model: 'm/stalling', messages, onDelta: (t) => deltas.push(t) }));
  expect(error.code).toBe('UPSTREAM_TIMEOUT');
  expect(deltas).toEqual(['slow ']);
});

test('the total deadline bounds the whole call', async () => {
  const upstream = await startUpstream();
  upstream.setBehavior('m/slow', { text: 'a b c d e f g h', tokenDelayMs: 100 });
  const { chat } = clientFor(upstream.url, { timeouts: { firstTokenMs: 5_000, idleMs: 5_000, totalMs: 250 } });
  expect((await failureOf(chat({ model: 'm/slow', messages }))).code).toBe('UPSTREAM_TIMEOUT');
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

test('an error object inside the 200 stream fails with UPSTREAM_STREAM_ERROR, not retried', async () => {
  const upstream = await startUpstream();
  upstream.setBehavior('m/flaky', { text: 'a b c d e f', midStreamError: true });
  const deltas: string[] = [];
  const error = await failureOf(
    clientFor(upstream.url).chat({ model: 'm/flaky', messages, onDelta: (t) => deltas.push(t) }),
  );
  expect(error.code).toBe('UPSTREAM_STREAM_ERROR');
  expect(deltas.join('')).toBe('a b c ');
  expect(upstream.requests).toHaveLength(1);
});

test('a data line that is not JSON fails with UPSTREAM_MALFORMED', async () => {
  const upstream = await startUpstream();
  upstream.setBehavior('m/garbled', { text: 'a b c d', malformedChunk: true });
  expect((await failureOf(clientFor(upstream.url).chat({ model: 'm/garbled', messages }))).code).toBe(
    'UPSTREAM_MALFORMED',
  );
});

test('a refused connection fails with UPSTREAM_NETWORK after the retries', async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const { chat, sleeps } = clientFor(`http://127.0.0.1:${port}/v1`);
  expect((await failureOf(chat({ model: 'm/any', messages }))).code).toBe('UPSTREAM_NETWORK');
  expect(sleeps).toHaveLength(2);
});

test('a whole council run over node:http: scripted reviewers, and a chairman whose synthesis fails', async () => {
  const upstream = await startUpstream();
  const models = ['m/alpha', 'm/beta', 'm/gamma'];
  for (const model of models) upstream.setBehavior(model, { reviewer: {}, tokenDelayMs: 1 });
  upstream.setBehavior('m/gamma', { reviewer: { truncated: true } });
  upstream.setBehavior('m/chair', { synthesisStatus: 500 });
  const { chat } = clientFor(upstream.url);
  const events: CouncilEvent[] = [];
  const outcome = await runCouncil(
    { question: 'Tabs or spaces?', history: [], models, chairmanModel: 'm/chair', attempt: 1 },
    {
      chat,
      signal: new AbortController().signal,
      deltaIntervalMs: 50,
      emit: (event) => {
        events.push(event);
        return Promise.resolve();
      },
    },
  );
  expect(outcome).toEqual({ status: 'completed' });
  expect(events.filter((e) => e.type === 'review_completed')).toHaveLength(3);
  expect(events.find((e) => e.type === 'review_completed' && e.reviewer === 'm/gamma')).toMatchObject({
    repaired: true,
  });
  // The chairman failed its synthesis: a stand-in from the council wrote it.
  expect(upstream.requests.filter((r) => r.model === 'm/chair').length).toBeGreaterThan(0);
  expect(events.at(-1)?.type).toBe('run_completed');
});

// SSE framing, over the wire and byte by byte.

const framed = [
  ': OPENROUTER PROCESSING',
  '',
  chunk({ content: 'héllo ' }),
  '',
  chunk({ content: 'wörld 🌍' }, 'stop'),
  '',
  `data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 1, completion_tokens: 2 } })}`,
  '',
  'data: [DONE]',
  '',
  '',
];

function expectHelloWorld(result: ChatResult): void {
  expect(result.content).toBe('héllo wörld 🌍');
  expect(result.finishReason).toBe('stop');
  expect(result.usage).toMatchObject({ promptTokens: 1, completionTokens: 2 });
}

test('CRLF line endings, and lines and UTF-8 characters split across packets', async () => {
  const bytes = new TextEncoder().encode(framed.join('\r\n'));
  // Cut inside 'é' (2 bytes), inside the CRLF pairs and inside '🌍' (4 bytes).
  const cuts = [40, 41, 60, 99, 100, bytes.indexOf(0xf0) + 1, bytes.indexOf(0xf0) + 3];
  const pieces = [...cuts, bytes.length].map((end, i) => bytes.subarray(i === 0 ? 0 : cuts[i - 1], end));
  const url = await rawUpstream(pieces);
  const deltas: string[] = [];
  const result = await clientFor(url).chat({ model: 'm', messages, onDelta: (t) => deltas.push(t) });
  expectHelloWorld(result);
  expect(deltas).toEqual(['héllo ', 'wörld 🌍']);
});

test('the reader gives the same answer for every split of the body into two chunks, LF, CRLF or CR', () => {
  for (const eol of ['\n', '\r\n', '\r']) {
    const bytes = new TextEncoder().encode(framed.join(eol));
    for (let cut = 0; cut <= bytes.length; cut++) {
      const deltas: string[] = [];
      const reader = createChatStreamReader({ onChunk: () => undefined, onDelta: (t) => deltas.push(t) });
      const isDone = reader.feed(bytes.subarray(0, cut)) || reader.feed(bytes.subarray(cut));
      expect(isDone).toBe(true);
      expectHelloWorld(reader.end());
      expect(deltas.join('')).toBe('héllo wörld 🌍');
    }
  }
});

test('byte by byte: multi-line data, other fields and a byte order mark are read as SSE says', () => {
  const body = [
    '\uFEFFevent: message',
    'id: 7',
    'retry: 1000',
    // One event whose data spans two lines: joined with a newline, it is still one JSON object.
    'data: {"choices":[{"delta":',
    'data: {"content":"two-line"},"finish_reason":"stop"}]}',
    '',
    'data:[DONE]',
    '',
    '',
  ].join('\n');
  const reader = createChatStreamReader({ onChunk: () => undefined, onDelta: () => undefined });
  let isDone = false;
  for (const byte of new TextEncoder().encode(body)) isDone = reader.feed(Uint8Array.of(byte)) || isDone;
  expect(isDone).toBe(true);
  expect(reader.end()).toMatchObject({ content: 'two-line', finishReason: 'stop' });
});

test('after [DONE] nothing more is read, and the answer stands', async () => {
  let closed = false;
  const url = await rawUpstream(
    [`${chunk({ content: 'done' }, 'stop')}\n\ndata: [DONE]\n\n`, 'data: {not json}\n\n'],
    () => (closed = true),
  );
  const result = await clientFor(url).chat({ model: 'm', messages });
  expect(result.content).toBe('done');
  await expect.poll(() => closed).toBe(true);
});

test('a body that ends without [DONE] or a finish reason was cut off: retried, then UPSTREAM_NETWORK', async () => {
  const url = await rawUpstream([`${chunk({ content: '' })}\n\n`]);
  const { chat, sleeps } = clientFor(url);
  const error = await failureOf(chat({ model: 'm', messages }));
  expect(error.code).toBe('UPSTREAM_NETWORK');
  expect(sleeps).toHaveLength(2);
});

test('a line that never ends fails with UPSTREAM_MALFORMED once it passes 1 MB', () => {
  const reader = createChatStreamReader({ onChunk: () => undefined, onDelta: () => undefined });
  const piece = new TextEncoder().encode(`data: "${'x'.repeat(64 * 1024)}`);
  let fed = 0;
  const error = (() => {
    try {
      for (; fed < 20; fed++) reader.feed(piece);
    } catch (err) {
      return err;
    }
  })();
  expect(error).toMatchObject({ code: 'UPSTREAM_MALFORMED' });
  expect(fed).toBe(15); // the 16th piece takes the line past 1 MB
});
