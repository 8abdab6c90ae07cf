import type { Response } from 'express';
import { TRPCClientError } from '@trpc/client';

/** An error as OpenAI's API answers it: `{ error: { message, type, param, code } }` with its status. */
export interface OpenAiError {
  status: number;
  message: string;
  type: string;
  param: string | null;
  code: string | null;
  retryAfterSeconds: number | null;
}

const typeByStatus: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  409: 'invalid_request_error',
  412: 'invalid_request_error',
  413: 'invalid_request_error',
  429: 'rate_limit_error',
};

interface ErrorData {
  httpStatus?: number;
  appCode?: string | null;
  retryAfterSeconds?: number | null;
  fieldErrors?: Record<string, string[]> | null;
}

/**
 * What a refusal of the API's procedures (no key, a limit, a budget, bad input) becomes on the
 * OpenAI-compatible endpoint: the same status and message, the app code as `code`, the input
 * field as `param`, the wait as Retry-After. Anything else is a 500 that says nothing internal.
 */
export function toOpenAiError(error: unknown): OpenAiError {
  if (!(error instanceof TRPCClientError)) {
    return {
      status: 500,
      message: 'Something went wrong on our side',
      type: 'server_error',
      param: null,
      code: null,
      retryAfterSeconds: null,
    };
  }
  const data = (error.data ?? {}) as ErrorData;
  const status = data.httpStatus ?? 500;
  const field = Object.keys(data.fieldErrors ?? {})[0];
  return {
    status,
    message: error.message,
    type: typeByStatus[status] ?? 'server_error',
    // The question and earlier turns arrive as `messages`; the council's own field names mean nothing here.
    param: field ? 'messages' : null,
    code: data.appCode ?? null,
    retryAfterSeconds: data.retryAfterSeconds ?? null,
  };
}

export function sendOpenAiError(
  res: Response,
  error: Partial<OpenAiError> & { status: number; message: string },
): void {
  if (error.retryAfterSeconds) res.setHeader('Retry-After', String(error.retryAfterSeconds));
  res.status(error.status).json({ error: errorBody(error) });
}

export function errorBody(error: Partial<OpenAiError> & { status: number; message: string }) {
  return {
    message: error.message,
    type: error.type ?? typeByStatus[error.status] ?? 'server_error',
    param: error.param ?? null,
    code: error.code ?? null,
  };
}
