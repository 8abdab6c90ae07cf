import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { z } from 'zod';
import { MAX_SOURCES_PER_ANSWER, answerSourceSchema, type AnswerSource, type Usage } from '../events.js';
import type { ChatResult } from './upstream.types.js';
import { UpstreamError } from './upstream.errors.js';

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
const maxSseBufferChars = 1_000_000;

/**
 * Reads an OpenAI-style SSE body to the end (`data: [DONE]`). Comment lines such as
 * `: OPENROUTER PROCESSING` are skipped by the parser. Because a 200 status only means the stream
 * started, every chunk is checked for an `error` object.
 */
export async function readChatStream(
  body: ReadableStream<Uint8Array>,
  callbacks: StreamCallbacks,
  maxAnswerChars = Number.POSITIVE_INFINITY,
): Promise<ChatResult> {
  const pending: EventSourceMessage[] = [];
  let parseFailure: UpstreamError | undefined;
  const parser = createParser({
    maxBufferSize: maxSseBufferChars,
    onEvent: (message) => pending.push(message),
    onError: (error) => {
      // Unknown fields are legal SSE noise; only an overflowing buffer means the stream is broken.
      if (error.type === 'max-buffer-size-exceeded') {
        parseFailure = new UpstreamError('UPSTREAM_MALFORMED', { detail: error.message });
      }
    },
  });

  let content = '';
  let usage: Usage | null = null;
  let finishReason: string | null = null;
  const sources = createSourceCollector();
  // A TextDecoder rather than TextDecoderStream: the stream's types differ between the DOM and Node
  // libs, and this file is type-checked under both (the web app sees it through the SDK's types).
  const decoder = new TextDecoder();
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
      if (parseFailure) throw parseFailure;
      for (const message of pending.splice(0)) {
        if (message.data.trim() === '[DONE]') return { content, usage, finishReason, ...sources.result() };
        callbacks.onChunk();
        const chunk = parseChunk(message.data);
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
      }
    }
  } finally {
    // Stop downloading after [DONE] or an error; a failed cancel has nothing left to clean up.
    reader.cancel().catch(() => undefined);
  }
  // The body ended without [DONE]: a finished choice is still a whole answer, anything else was cut
  // off. Retryable, because the client only retries when no text has reached the caller yet.
  if (finishReason !== null) return { content, usage, finishReason, ...sources.result() };
  throw new UpstreamError('UPSTREAM_NETWORK', { retryable: true, detail: 'stream ended before [DONE]' });
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
