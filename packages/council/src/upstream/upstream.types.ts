import type { AnswerSource, Usage } from '../events.js';

/** One OpenAI-style chat message. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
  /**
   * Images shown with the text, as data URLs: on the wire the content becomes parts, the text
   * first, then one `image_url` part per image (`toWireMessages`).
   */
  images?: string[];
}

/** One part of a message's content on the wire: text, or an image as an `image_url`. */
export type ChatContentPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  /** A reasoning model's thinking as it streams (never part of `content`). */
  onReasoning?: (text: string) => void;
  /** Aborting rejects the call promptly with `UPSTREAM_ABORTED`. */
  signal?: AbortSignal;
  /** Called synchronously with each piece of streamed text, in order. */
  onDelta?: (text: string) => void;
  maxTokens?: number;
  temperature?: number;
  /** Sent as OpenRouter's `reasoning: { effort }`; absent (or `none`) sends nothing. */
  reasoningEffort?: 'none' | 'low' | 'medium' | 'high';
  /** Adds OpenRouter's `openrouter:web_search` server tool to the call. */
  webSearch?: boolean;
}

export interface ChatResult {
  content: string;
  usage: Usage | null;
  finishReason: string | null;
  /** The pages the answer cites (`url_citation` annotations), first citation first, each URL once. */
  sources?: AnswerSource[];
}

/** The one operation the council needs from an upstream; tests and the runner depend on this shape. */
export type ChatFn = (request: ChatRequest) => Promise<ChatResult>;

export interface ChatTimeouts {
  /** From sending the request to the first streamed chunk. */
  firstTokenMs: number;
  /** Longest silence allowed between chunks once streaming started. */
  idleMs: number;
  /** Whole call, retries and back-off included. */
  totalMs: number;
}

export interface RetryOptions {
  /** Extra attempts after the first one. */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A `Retry-After` longer than this is not waited out: the call fails with the original error. */
  maxRetryAfterMs: number;
}

/** Waits `ms`, rejecting early when `signal` aborts. Injectable so tests need not sleep. */
export type SleepFn = (ms: number, signal: AbortSignal) => Promise<void>;

/**
 * How a chat call reaches the upstream: `fetch` by default (any runtime), the byte reader of
 * `@llm-council/council/node-transport` on the server.
 */
export interface UpstreamTransport {
  /** Sends the request; resolves once the status line and headers arrived. Aborting `signal` rejects. */
  post(
    url: string,
    request: { headers: Record<string, string>; body: string; signal: AbortSignal },
  ): Promise<UpstreamResponse>;
}

export interface UpstreamResponse {
  status: number;
  header(name: string): string | null;
  /** The start of the body as text, at most `maxBytes`; the rest is not downloaded. */
  text(maxBytes: number): Promise<string>;
  /**
   * Hands the body to `onBytes` chunk by chunk as it arrives, until `onBytes` returns true (it has
   * all it wants) or the body ends; a throw from `onBytes` rejects with that error. The connection
   * is released either way.
   */
  read(onBytes: (bytes: Uint8Array) => boolean): Promise<void>;
}

export interface ChatClientOptions {
  /** e.g. `https://openrouter.ai/api/v1` or `http://localhost:11434/v1`. */
  baseUrl: string;
  apiKey: string;
  /** The default transport's fetch; ignored when `transport` is given. */
  fetch?: typeof fetch;
  transport?: UpstreamTransport;
  /** Sent as `HTTP-Referer` for OpenRouter attribution. */
  appUrl?: string;
  /** Sent as `X-OpenRouter-Title` and its older name `X-Title`. */
  appTitle?: string;
  timeouts?: Partial<ChatTimeouts>;
  /**
   * The longest answer accepted, in characters (default 200,000). A longer one is stopped and fails
   * with UPSTREAM_TOO_LONG: a cut answer passed on as whole would mislead reviewers and chairman.
   */
  maxAnswerChars?: number;
  retry?: Partial<RetryOptions>;
  sleep?: SleepFn;
  /** Source of jitter in [0, 1); injectable for deterministic tests. */
  random?: () => number;
}

export interface ChatClient {
  chat: ChatFn;
}
