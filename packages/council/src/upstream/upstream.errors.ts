import type { CouncilError } from '../events.js';

/** Stable codes the UI switches on; the messages below are what a user may read. */
export const upstreamErrorCodes = [
  'UPSTREAM_AUTH',
  'UPSTREAM_NO_CREDIT',
  'UPSTREAM_MODERATION',
  'UPSTREAM_RATE_LIMITED',
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_UNAVAILABLE',
  'UPSTREAM_BAD_REQUEST',
  'UPSTREAM_NETWORK',
  'UPSTREAM_STREAM_ERROR',
  'UPSTREAM_MALFORMED',
  'UPSTREAM_ABORTED',
  'UPSTREAM_TOO_LONG',
] as const;
export type UpstreamErrorCode = (typeof upstreamErrorCodes)[number];

/** The sentence users see for each failure (the API names the provider in the first two). */
export const upstreamErrorMessages: Readonly<Record<UpstreamErrorCode, string>> = {
  UPSTREAM_AUTH: 'Your API key was rejected by the provider.',
  UPSTREAM_NO_CREDIT: 'Your provider account is out of credit.',
  UPSTREAM_MODERATION: "The provider's moderation blocked this request.",
  UPSTREAM_RATE_LIMITED: 'The model is rate-limited right now. Try again in a moment.',
  UPSTREAM_TIMEOUT: 'The model took too long to respond.',
  UPSTREAM_UNAVAILABLE: 'The model is unavailable right now.',
  UPSTREAM_BAD_REQUEST: 'The provider rejected the request.',
  UPSTREAM_NETWORK: 'Could not reach the model provider.',
  UPSTREAM_STREAM_ERROR: 'The model stopped with an error while answering.',
  UPSTREAM_MALFORMED: 'The provider sent a response that could not be read.',
  UPSTREAM_ABORTED: 'The request was cancelled.',
  UPSTREAM_TOO_LONG: "The model's answer passed the server's size limit and was stopped.",
};

export interface UpstreamErrorOptions {
  status?: number;
  retryable?: boolean;
  /** The provider's own wording, for server logs only (already redacted by the caller). */
  detail?: string;
  /** Server-requested wait before retrying, from `Retry-After`. */
  retryAfterMs?: number;
  cause?: unknown;
}

/**
 * Every failure of the upstream client. `message` is safe to show a user: it is one of the fixed
 * sentences above and never contains the API key or the provider's raw text (that goes in `detail`).
 */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
  readonly code: UpstreamErrorCode;
  readonly status: number | undefined;
  readonly retryable: boolean;
  readonly detail: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(code: UpstreamErrorCode, options: UpstreamErrorOptions = {}) {
    super(upstreamErrorMessages[code], { cause: options.cause });
    this.code = code;
    this.status = options.status;
    this.retryable = options.retryable ?? false;
    this.detail = options.detail;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Statuses worth another attempt (before the first token only); everything else fails at once. */
const retryableStatuses: ReadonlySet<number> = new Set([408, 429, 502, 503]);

/** Maps an HTTP status (OpenRouter semantics) to an error code. */
export function codeForStatus(status: number): UpstreamErrorCode {
  switch (status) {
    case 401:
      return 'UPSTREAM_AUTH';
    case 402:
      return 'UPSTREAM_NO_CREDIT';
    case 403:
      return 'UPSTREAM_MODERATION';
    case 408:
    case 504:
      return 'UPSTREAM_TIMEOUT';
    case 429:
      return 'UPSTREAM_RATE_LIMITED';
    case 404:
      // OpenRouter answers 404 when no endpoint serves the model; for the user that is "unavailable".
      return 'UPSTREAM_UNAVAILABLE';
    default:
      return status >= 500 ? 'UPSTREAM_UNAVAILABLE' : 'UPSTREAM_BAD_REQUEST';
  }
}

/** Builds the error for a non-2xx response. */
export function errorForStatus(
  status: number,
  options: Omit<UpstreamErrorOptions, 'status' | 'retryable'> = {},
): UpstreamError {
  return new UpstreamError(codeForStatus(status), {
    ...options,
    status,
    retryable: retryableStatuses.has(status),
  });
}

/**
 * A call the caller's own policy refused before it was sent (a budget, say): thrown by a wrapped
 * `chat`, it fails that model with the caller's code and sentence, which must be safe to show.
 */
export class CallRefusedError extends Error {
  override readonly name = 'CallRefusedError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Council-level codes that are not about one upstream call. */
export const councilErrorCodes = {
  tooFewAnswers: 'COUNCIL_TOO_FEW_ANSWERS',
  tooFewReviews: 'COUNCIL_TOO_FEW_REVIEWS',
  emptyResponse: 'COUNCIL_EMPTY_RESPONSE',
  internal: 'INTERNAL_ERROR',
} as const;

/**
 * Narrows anything thrown during a model call to the `{ code, message }` shape stored in events.
 * Unknown errors (our own bugs) get a generic sentence: internal messages never reach users.
 */
export function toCouncilError(err: unknown): CouncilError {
  if (err instanceof UpstreamError || err instanceof CallRefusedError) return { code: err.code, message: err.message };
  return {
    code: councilErrorCodes.internal,
    message: 'Something went wrong on our side while asking this model.',
  };
}

/**
 * The error for a call stopped by the caller's signal: a timeout signal (`AbortSignal.timeout`)
 * is a timeout to the user, anything else a cancellation.
 */
export function errorForAbort(signal: AbortSignal, cause?: unknown): UpstreamError {
  const reason: unknown = signal.reason;
  const isTimeout = reason instanceof DOMException && reason.name === 'TimeoutError';
  return new UpstreamError(isTimeout ? 'UPSTREAM_TIMEOUT' : 'UPSTREAM_ABORTED', { cause: cause ?? reason });
}

/** Removes the key (and bearer-looking tokens) from provider text before it is kept anywhere. */
export function redactSecret(text: string, secret: string): string {
  const withoutKey = secret.length > 0 ? text.split(secret).join('[redacted]') : text;
  return withoutKey.replace(/\b(sk-[A-Za-z0-9_-]{4})[A-Za-z0-9_-]{8,}/g, '$1…[redacted]');
}
