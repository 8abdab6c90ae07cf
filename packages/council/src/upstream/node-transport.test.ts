import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, onTestFinished, test } from 'vitest';
import { runCouncil } from '../runner.js';
import type { CouncilEvent } from '../events.js';
import { createChatStreamReader } from './chat-stream.js';
import { nodeTransport } from './node-transport.js';
import { clientFor as baseClientFor, failureOf, messages, startUpstream } from './chat-client.testing.js';
import type { ChatClientOptions, ChatResult } from './upstream.types.js';

// Issue 21 §3: the server reads upstream streams byte by byte over node:http. Every fault the fake
// upstream can produce runs through this reader in chat-client.test.ts (each case over both
// transports); here, a whole council run and the SSE framing a real provider may use.

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
