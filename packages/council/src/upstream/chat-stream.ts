import { z } from 'zod';
import { MAX_SOURCES_PER_ANSWER, answerSourceSchema, type AnswerSource, type Usage } from '../events.js';
import type { ChatResult, UpstreamResponse } from './upstream.types.js';
import { UpstreamError } from './upstream.errors.js';
import { readWebStream } from './fetch-transport.js';

/** OpenAI usage as sent on the wire; OpenRouter adds `cost` (USD). Extra fields are ignored. */
const wireUsageSchema = z.object({
  prompt_tokens: z.number().int().nonnegative(),
  completion_tokens: z.number().int().nonnegative(),
  total_tokens: z.number().int().nonnegative().optional(),
  cost: z.number().nonnegative().nullish(),
  completion_tokens_details: z.object({ reasoning_tokens: z.number().int().nonnegative().nullish() }).nullish(),
});

const wireErrorSchema = z.object({
  code: z.union([z.number(), z.string()]).nullish(),
  message: z.string().nullish(),
});

const streamChunkSchema = z.object({
  choices: z
    .array(
      z.object({
        delta: z
          .object({
            content: z.string().nullish(),
            reasoning: z.string().nullish(),
            annotations: z.unknown().optional(),
          })
          .nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .nullish(),
  usage: z.unknown().optional(),
  error: wireErrorSchema.nullish(),
});

/** A whole (non-streamed) completion, for servers that ignore `stream: true`. */
export const completionSchema = z.object({
  choices: z.array(
    z.object({
      message: z.object({ content: z.string().nullish(), annotations: z.unknown().optional() }),
      finish_reason: z.string().nullish(),
    }),
  ),
  usage: z.unknown().optional(),
});

/** Converts wire usage to ours; a usage block we cannot read is dropped rather than failing a good answer. */
export function toUsage(raw: unknown): Usage | null {
  const parsed = wireUsageSchema.safeParse(raw);
  if (!parsed.success) return null;
  const u = parsed.data;
  return {
    promptTokens: u.prompt_tokens,
    completionTokens: u.completion_tokens,
    totalTokens: u.total_tokens ?? u.prompt_tokens + u.completion_tokens,
    cost: u.cost ?? null,
    // Reasoning tokens are output tokens (already in completion_tokens), kept apart for the ledger.
    ...(u.completion_tokens_details?.reasoning_tokens
      ? { reasoningTokens: u.completion_tokens_details.reasoning_tokens }
      : {}),
  };
}

/** OpenRouter's web search citation; other annotation types are ignored. */
const urlCitationSchema = z.object({
  type: z.literal('url_citation'),
  url_citation: z.object({ url: z.string(), title: z.string().nullish() }),
});

/**
 * Collects the pages an answer cites from `annotations` (on streamed deltas or the whole message):
 * each URL once, in the order first cited, http(s) only, at most MAX_SOURCES_PER_ANSWER. A malformed
 * annotation is skipped: it never fails a good answer.
 */
export function createSourceCollector() {
  const sources: AnswerSource[] = [];
  const seen = new Set<string>();
  return {
    add(annotations: unknown): void {
      if (!Array.isArray(annotations)) return;
      for (const raw of annotations) {
        const citation = urlCitationSchema.safeParse(raw);
        if (!citation.success || sources.length >= MAX_SOURCES_PER_ANSWER) continue;
        const title = citation.data.url_citation.title?.trim().slice(0, 300) || null;
        const source = answerSourceSchema.safeParse({ url: citation.data.url_citation.url.trim(), title });
        if (!source.success || seen.has(source.data.url)) continue;
        seen.add(source.data.url);
        sources.push(source.data);
      }
    },
    /** The sources as a ChatResult field: absent when there are none. */
    result(): { sources?: AnswerSource[] } {
      return sources.length > 0 ? { sources: [...sources] } : {};
    },
  };
}

export interface StreamCallbacks {
  /** Every data event (not comments): proof of life for the first-token and idle timers. */
  onChunk: () => void;
  onDelta: (text: string) => void;
  /** A reasoning model's thinking (`delta.reasoning`), kept apart from the answer. */
  onReasoning?: (text: string) => void;
}

/** Guards memory against a server that never ends a line. */
const maxSseLineBytes = 1_000_000;

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;
/** `data` as bytes: the only SSE field an OpenAI-style stream uses. */
const DATA = [0x64, 0x61, 0x74, 0x61];

/**
 * Splits an SSE body into events as its bytes arrive, without a stream or a promise per chunk.
 * Lines end in LF, CRLF or CR; a line is decoded only once whole, so a UTF-8 character split across
 * chunks is never cut. Comments (`: OPENROUTER PROCESSING`) and fields other than `data` are
 * skipped; the `data` lines of an event are joined with newlines, and a blank line dispatches it.
 * A line longer than 1 MB fails with UPSTREAM_MALFORMED rather than growing without bound.
 */
function createSseReader(onData: (data: string) => void): { feed: (bytes: Uint8Array) => void } {
  const decoder = new TextDecoder();
  let data: string | null = null;
  /** The previous chunk ended on CR: an LF opening this one belongs to that line end. */
  let afterCr = false;
  let isFirstLine = true;

  const line = (bytes: Uint8Array, start: number, end: number): void => {
    if (isFirstLine) {
      isFirstLine = false;
      // A UTF-8 byte order mark before the first line is not part of it.
      if (end - start >= 3 && bytes[start] === 0xef && bytes[start + 1] === 0xbb && bytes[start + 2] === 0xbf) {
        start += 3;
      }
    }
    if (start === end) {
      if (data !== null) {
        const event = data;
        data = null;
        onData(event);
      }
      return;
    }
    if (bytes[start] === COLON || end - start < 4) return;
    for (let i = 0; i < 4; i++) if (bytes[start + i] !== DATA[i]) return;
    let valueStart = start + 4;
    if (valueStart < end) {
      if (bytes[valueStart] !== COLON) return; // `database: …` is another field
      valueStart++;
      if (bytes[valueStart] === SPACE) valueStart++;
    }
    const value = decoder.decode(bytes.subarray(valueStart, end));
    data = data === null ? value : `${data}\n${value}`;
  };

  /** The start of an unfinished line: the chunks it came in, joined only once the line ends. */
  const carry: Uint8Array[] = [];
  let carryBytes = 0;
  const keep = (bytes: Uint8Array): void => {
    carryBytes += bytes.byteLength;
    if (carryBytes > maxSseLineBytes) {
      throw new UpstreamError('UPSTREAM_MALFORMED', { detail: `an SSE line passed ${maxSseLineBytes} bytes` });
    }
    // A copy: the transport may reuse the chunk's memory.
    carry.push(bytes.slice());
  };

  return {
    feed(bytes: Uint8Array): void {
      if (bytes.byteLength === 0) return;
      let start = 0;
      if (afterCr && bytes[0] === LF) start = 1;
      afterCr = false;
      // Line ends are found with indexOf (memchr), not a loop over every byte in JavaScript — less
      // than half the reader's CPU (bench:parse): the next LF and the next CR, each searched again
      // only once passed (most streams have no CR at all).
      let nextLf = bytes.indexOf(LF, start);
      let nextCr = bytes.indexOf(CR, start);
      while (nextLf !== -1 || nextCr !== -1) {
        const i = nextCr === -1 || (nextLf !== -1 && nextLf < nextCr) ? nextLf : nextCr;
        const byte = bytes[i];
        if (carry.length === 0) {
          line(bytes, start, i);
        } else {
          const whole = new Uint8Array(carryBytes + i - start);
          let at = 0;
          for (const part of carry) {
            whole.set(part, at);
            at += part.byteLength;
          }
          whole.set(bytes.subarray(start, i), at);
          carry.length = 0;
          carryBytes = 0;
          line(whole, 0, whole.byteLength);
        }
        let end = i;
        if (byte === CR) {
          if (i + 1 === bytes.byteLength) afterCr = true;
          else if (bytes[i + 1] === LF) end = i + 1;
        }
        start = end + 1;
        if (nextLf !== -1 && nextLf < start) nextLf = bytes.indexOf(LF, start);
        if (nextCr !== -1 && nextCr < start) nextCr = bytes.indexOf(CR, start);
      }
      if (start < bytes.byteLength) keep(bytes.subarray(start));
    },
  };
}

/**
 * Reads an OpenAI-style SSE body, fed chunk by chunk, up to `data: [DONE]`. Because a 200 status
 * only means the stream started, every chunk is checked for an `error` object. `feed` returns true
 * once [DONE] arrived (the rest of the body is not wanted); `end` gives the answer of a body that
 * ended without it.
 */
export function createChatStreamReader(
  callbacks: StreamCallbacks,
  maxAnswerChars = Number.POSITIVE_INFINITY,
): { feed: (bytes: Uint8Array) => boolean; end: () => ChatResult } {
  let content = '';
  let usage: Usage | null = null;
  let finishReason: string | null = null;
  let isDone = false;
  const sources = createSourceCollector();
  const result = (): ChatResult => ({ content, usage, finishReason, ...sources.result() });

  const sse = createSseReader((data) => {
    if (isDone) return;
    if (data.trim() === '[DONE]') {
      isDone = true;
      return;
    }
    callbacks.onChunk();
    const chunk = parseChunk(data);
    if (chunk.usage !== undefined && chunk.usage !== null) usage = toUsage(chunk.usage) ?? usage;
    for (const choice of chunk.choices ?? []) {
      sources.add(choice.delta?.annotations);
      const thought = choice.delta?.reasoning;
      if (thought) callbacks.onReasoning?.(thought);
      const text = choice.delta?.content;
      if (text) {
        content += text;
        if (content.length > maxAnswerChars) throw answerTooLong(maxAnswerChars);
        callbacks.onDelta(text);
      }
      if (choice.finish_reason) finishReason = choice.finish_reason;
    }
    if (finishReason === 'error') {
      throw new UpstreamError('UPSTREAM_STREAM_ERROR', { detail: 'finish_reason: error' });
    }
  });

  return {
    feed(bytes: Uint8Array): boolean {
      sse.feed(bytes);
      return isDone;
    },
    end(): ChatResult {
      // The body ended without [DONE]: a finished choice is still a whole answer, anything else was
      // cut off. Retryable, because the client only retries when no text has reached the caller yet.
      if (isDone || finishReason !== null) return result();
      throw new UpstreamError('UPSTREAM_NETWORK', { retryable: true, detail: 'stream ended before [DONE]' });
    },
  };
}

/** Reads a chat answer's SSE body to [DONE] (or its end) as the transport delivers it. */
export async function readChatStreamFrom(
  body: Pick<UpstreamResponse, 'read'>,
  callbacks: StreamCallbacks,
  maxAnswerChars = Number.POSITIVE_INFINITY,
): Promise<ChatResult> {
  const stream = createChatStreamReader(callbacks, maxAnswerChars);
  await body.read(stream.feed);
  return stream.end();
}

/** The same, for a body given as a web stream (as `fetch` returns it). */
export function readChatStream(
  body: ReadableStream<Uint8Array>,
  callbacks: StreamCallbacks,
  maxAnswerChars = Number.POSITIVE_INFINITY,
): Promise<ChatResult> {
  return readChatStreamFrom({ read: (onBytes) => readWebStream(body, onBytes) }, callbacks, maxAnswerChars);
}

/** Not retried: the same question would get the same endless answer. */
export function answerTooLong(maxAnswerChars: number): UpstreamError {
  return new UpstreamError('UPSTREAM_TOO_LONG', { detail: `the answer passed ${maxAnswerChars} characters` });
}

function parseChunk(data: string): z.infer<typeof streamChunkSchema> {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch (err) {
    throw new UpstreamError('UPSTREAM_MALFORMED', { detail: 'chunk is not JSON', cause: err });
  }
  const parsed = streamChunkSchema.safeParse(json);
  if (!parsed.success) {
    throw new UpstreamError('UPSTREAM_MALFORMED', { detail: 'unexpected chunk shape' });
  }
  const { error } = parsed.data;
  if (error) {
    throw new UpstreamError('UPSTREAM_STREAM_ERROR', {
      status: typeof error.code === 'number' ? error.code : undefined,
      detail: error.message ?? undefined,
    });
  }
  return parsed.data;
}
