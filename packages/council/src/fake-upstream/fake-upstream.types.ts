import type { IncomingHttpHeaders } from 'node:http';
import type { ModelInfo } from '../upstream/provider-catalog.js';
import type { ChatMessage } from '../upstream/upstream.types.js';

/**
 * How the fake answers one model. Every field is optional; unset fields fall back to the server's
 * `defaultBehavior`, then to "answer at once with a deterministic reply".
 */
export interface FakeBehavior {
  /** Delay before the status line (applies to errors too). */
  latencyMs?: number;
  /** Delay between the start of the stream and the first token (keep-alive comments meanwhile). */
  firstTokenMs?: number;
  /** Delay between tokens. */
  tokenDelayMs?: number;
  /** Fixed reply text. */
  text?: string;
  /**
   * A reasoning model: this thinking streams as `delta.reasoning` (token by token, like the answer)
   * before the first content token, and is counted in `completion_tokens_details.reasoning_tokens`.
   */
  reasoning?: string;
  /** Computed reply; wins over `text`. */
  reply?: (messages: ChatMessage[]) => string;
  /** Fail before streaming with this status and an OpenRouter-style error body. */
  status?: number;
  /** With `status`: fail only the first N requests for this model, then answer normally. */
  failTimes?: number;
  /** Fail only this model's synthesis requests (the chairman's prompt) with this status; it answers and reviews as usual. */
  synthesisStatus?: number;
  /** With `status`: sent as `Retry-After` (seconds). */
  retryAfterSec?: number;
  /** Start the stream, then send nothing but keep-alive comments until the client gives up. */
  hang?: boolean;
  /** Send part of the reply, then an `error` chunk inside the 200 stream. */
  midStreamError?: boolean;
  /** Send part of the reply, then a `data:` line that is not valid JSON. */
  malformedChunk?: boolean;
  /** Overrides the computed token counts. */
  usage?: { promptTokens?: number; completionTokens?: number };
  /** USD cost reported in `usage.cost`; by default derived from the catalog's pricing if known. */
  cost?: number;
  /** Hidden quality of this model's answers, 0 to 1 (default 0.5); honest reviewers rank by it. */
  quality?: number;
  /** How this model reviews; unset, it gives the demo's deterministic review. */
  reviewer?: FakeReviewer;
}

/**
 * A scripted reviewer. Ranks by the answers' hidden quality (ties broken at random), with a bias:
 * `primacy` puts the first answer it was shown first with probability `primacyRate` (default 0.6);
 * `self-loving` recognises its own answer and puts it first. `sloppyRate` is the chance its first
 * reply breaks the format; `truncated` cuts the first reply short (finish_reason: length).
 */
export interface FakeReviewer {
  bias?: 'none' | 'primacy' | 'self-loving';
  primacyRate?: number;
  sloppyRate?: number;
  truncated?: boolean;
  /** A model whose answer this reviewer always puts first (scripts ties and cycles in demos). */
  favourite?: string;
}

export interface FakeKey {
  valid: boolean;
  /** Credit limit in USD; chat answers 402 once `usage` reaches it. */
  limit?: number;
  usage?: number;
}

export interface FakeUpstreamOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  defaultBehavior?: FakeBehavior;
  /** The `/models` catalog. When given, chat requests for other model ids get a 400. */
  models?: ModelInfo[];
  /** When given, only these keys are accepted (401 otherwise); when absent, any key works. */
  keys?: Record<string, FakeKey>;
  /** Seeds the scripted reviewers' random choices (default 1). */
  seed?: number;
}

/** One content part of a request's message, as it arrived (images are described, not kept twice). */
export type RecordedContentPart =
  | { role: ChatMessage['role']; type: 'text'; chars: number }
  | { role: ChatMessage['role']; type: 'image_url'; mediaType: string | null; bytes: number | null };

/** One `POST /chat/completions` as the fake received it. */
export interface RecordedRequest {
  model: string;
  /**
   * Every content part of messages sent as parts (OpenAI's `[{ type: 'text' }, { type:
   * 'image_url' }]`), in order; empty when every message was a plain string. `messages` holds the
   * same messages with their text joined and their images as `images`.
   */
  contentParts: RecordedContentPart[];
  authorization: string | undefined;
  stream: boolean;
  messages: ChatMessage[];
  headers: IncomingHttpHeaders;
  /** `Date.now()` on arrival. */
  at: number;
  /** `Date.now()` once the whole answer was written; undefined while it streams, or if it failed. */
  endedAt: number | undefined;
  temperature: number | undefined;
  maxTokens: number | undefined;
  /** OpenRouter's `reasoning` object, as sent. */
  reasoning: { effort: string } | undefined;
  /** The request's `tools` (e.g. the `openrouter:web_search` server tool), as sent. */
  tools: { type: string; parameters?: Record<string, unknown> | undefined }[] | undefined;
}

export interface FakeUpstream {
  /** Base URL including `/v1`, e.g. `http://127.0.0.1:41234/v1`. */
  url: string;
  port: number;
  setBehavior: (model: string, behavior: FakeBehavior) => void;
  /** Clears per-model behaviours, failure counters and recorded requests. */
  reset: () => void;
  requests: RecordedRequest[];
  /** Requests still being answered: lets tests check that a cancelled call really hung up. */
  readonly openRequests: number;
  /** Stops listening and cuts every open connection (hanging streams included). */
  close: () => Promise<void>;
}
