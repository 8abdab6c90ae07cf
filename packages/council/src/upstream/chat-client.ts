import { toWireMessage } from '../attachments.js';
import type {
  ChatClient,
  ChatClientOptions,
  ChatRequest,
  ChatResult,
  ChatTimeouts,
  UpstreamResponse,
} from './upstream.types.js';
import {
  answerTooLong,
  completionSchema,
  createSourceCollector,
  readChatStreamFrom,
  toUsage,
  type StreamCallbacks,
} from './chat-stream.js';
import { fetchTransport } from './fetch-transport.js';
import { startAttemptWatchdog, startTotalDeadline } from './attempt-watchdog.js';
import { defaultRetryOptions, parseRetryAfter, planRetry, sleepWithSignal } from './retry-policy.js';
import { UpstreamError, errorForAbort, errorForStatus, redactSecret } from './upstream.errors.js';

/** The longest answer accepted by default, in characters (UPSTREAM_MAX_ANSWER_CHARS). */
export const DEFAULT_MAX_ANSWER_CHARS = 200_000;
/** At most this much of an error response is read: its message is all we want from it. */
const MAX_ERROR_BODY_BYTES = 16 * 1024;

/** OpenRouter's web search server tool (the `plugins: [{ id: 'web' }]` form is deprecated). */
const webSearchTool = { type: 'openrouter:web_search', parameters: { max_results: 5 } } as const;

export const defaultChatTimeouts: ChatTimeouts = {
  firstTokenMs: 60_000,
  idleMs: 30_000,
  totalMs: 10 * 60_000,
};

/**
 * Creates a streaming client for an OpenAI-compatible `POST {baseUrl}/chat/completions`
 * (OpenRouter, Ollama, llama.cpp). Retries happen only before any text reached `onDelta`, so a
 * caller never sees a model's answer start twice.
 *
 * @example
 * const { chat } = createChatClient({ baseUrl: 'https://openrouter.ai/api/v1', apiKey });
 * const result = await chat({ model: 'openai/gpt-5.1', messages, onDelta: (t) => process.stdout.write(t) });
 */
export function createChatClient(options: ChatClientOptions): ChatClient {
  const transport = options.transport ?? fetchTransport(options.fetch ?? globalThis.fetch);
  const timeouts = { ...defaultChatTimeouts, ...options.timeouts };
  const retry = { ...defaultRetryOptions, ...options.retry };
  const sleep = options.sleep ?? sleepWithSignal;
  const random = options.random ?? Math.random;
  const maxAnswerChars = options.maxAnswerChars ?? DEFAULT_MAX_ANSWER_CHARS;
  const url = `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`;

  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    Accept: 'text/event-stream',
  };
  if (options.apiKey) headers.Authorization = `Bearer ${options.apiKey}`;
  if (options.appUrl) headers['HTTP-Referer'] = options.appUrl;
  if (options.appTitle) {
    headers['X-OpenRouter-Title'] = options.appTitle;
    headers['X-Title'] = options.appTitle;
  }

  async function attempt(request: ChatRequest, signal: AbortSignal, callbacks: StreamCallbacks) {
    const response = await transport.post(url, {
      headers,
      signal,
      body: JSON.stringify({
        model: request.model,
        messages: request.messages.map(toWireMessage),
        stream: true,
        stream_options: { include_usage: true },
        ...(request.maxTokens !== undefined && { max_tokens: request.maxTokens }),
        ...(request.temperature !== undefined && { temperature: request.temperature }),
        ...(request.reasoningEffort !== undefined &&
          request.reasoningEffort !== 'none' && { reasoning: { effort: request.reasoningEffort } }),
        ...(request.webSearch === true && { tools: [webSearchTool] }),
      }),
    });
    if (response.status < 200 || response.status > 299) throw await readErrorResponse(response, options.apiKey);
    return readSuccessResponse(response, callbacks, maxAnswerChars);
  }

  async function chat(request: ChatRequest): Promise<ChatResult> {
    const userSignal = request.signal ?? new AbortController().signal;
    const total = startTotalDeadline(timeouts.totalMs);
    const callSignal = AbortSignal.any([userSignal, total.signal]);
    try {
      for (let retryIndex = 0; ; retryIndex++) {
        let hasDelivered = false;
        const watchdog = startAttemptWatchdog(timeouts.firstTokenMs, timeouts.idleMs);
        const attemptSignal = AbortSignal.any([callSignal, watchdog.signal]);
        let error: UpstreamError;
        try {
          return await attempt(request, attemptSignal, {
            onChunk: watchdog.touch,
            onDelta: (text) => {
              hasDelivered = true;
              request.onDelta?.(text);
            },
            // Thinking the user has seen counts as delivered: a retry would show it twice.
            onReasoning: (text) => {
              hasDelivered = true;
              request.onReasoning?.(text);
            },
          });
        } catch (err) {
          error = classifyFailure(err, userSignal, [total.signal, watchdog.signal]);
        } finally {
          watchdog.stop();
        }
        const waitMs = hasDelivered ? undefined : planRetry(error, retryIndex, retry, random);
        if (waitMs === undefined) throw error;
        try {
          await sleep(waitMs, callSignal);
        } catch (err) {
          throw classifyFailure(err, userSignal, [total.signal]);
        }
      }
    } finally {
      total.stop();
    }
  }

  return { chat };
}

/**
 * Explains a failed attempt. An abort surfaces as a generic DOMException, TypeError or socket error,
 * so the signals are asked first: the caller's cancel wins, then our own deadlines (whose abort
 * reason is the timeout error).
 */
function classifyFailure(err: unknown, userSignal: AbortSignal, deadlines: AbortSignal[]): UpstreamError {
  if (userSignal.aborted) return errorForAbort(userSignal, err);
  for (const signal of deadlines) {
    if (signal.aborted && signal.reason instanceof UpstreamError) return signal.reason;
  }
  if (err instanceof UpstreamError) return err;
  // DNS failures, refused and reset connections (a TypeError from fetch): worth a retry.
  return new UpstreamError('UPSTREAM_NETWORK', { retryable: true, cause: err });
}

async function readErrorResponse(response: UpstreamResponse, apiKey: string): Promise<UpstreamError> {
  const retryAfterMs = parseRetryAfter(response.header('retry-after'));
  const text = await response.text(MAX_ERROR_BODY_BYTES);
  let detail = text.slice(0, 500);
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } };
    if (typeof body.error?.message === 'string') detail = body.error.message;
  } catch {
    // Not JSON (an HTML error page from a proxy, say): keep the raw excerpt as the detail.
  }
  return errorForStatus(response.status, { detail: redactSecret(detail, apiKey), retryAfterMs });
}

async function readSuccessResponse(
  response: UpstreamResponse,
  callbacks: StreamCallbacks,
  maxAnswerChars: number,
): Promise<ChatResult> {
  const contentType = response.header('content-type') ?? '';
  // Some OpenAI-compatible servers ignore `stream: true`; accept their whole answer as one delta.
  if (contentType.includes('application/json')) {
    const parsed = completionSchema.safeParse(parseJson(await response.text(Number.POSITIVE_INFINITY)));
    const choice = parsed.success ? parsed.data.choices[0] : undefined;
    if (!parsed.success || !choice) throw new UpstreamError('UPSTREAM_MALFORMED', { detail: 'bad completion' });
    const content = choice.message.content ?? '';
    if (content.length > maxAnswerChars) throw answerTooLong(maxAnswerChars);
    callbacks.onChunk();
    if (content) callbacks.onDelta(content);
    const sources = createSourceCollector();
    sources.add(choice.message.annotations);
    return {
      content,
      usage: toUsage(parsed.data.usage),
      finishReason: choice.finish_reason ?? null,
      ...sources.result(),
    };
  }
  return readChatStreamFrom(response, callbacks, maxAnswerChars);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
