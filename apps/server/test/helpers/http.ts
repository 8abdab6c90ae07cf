import { expect } from 'vitest';
import type { TestServer } from './test-server.js';

/** Where raw calls go, and where their response bodies are recorded. */
export type HttpTarget = Pick<TestServer, 'url' | 'responseBodies'>;

/** The error body our tRPC error formatter produces. */
export interface TrpcErrorBody {
  message: string;
  code: number;
  data: {
    code: string;
    httpStatus: number;
    path?: string;
    requestId: string | null;
    appCode: string | null;
    retryAfterSeconds: number | null;
    fieldErrors: Record<string, string[]> | null;
    stack?: unknown;
  };
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  /** `result.data` of a successful call. */
  data: unknown;
  /** `error` of a failed call. */
  error: TrpcErrorBody | undefined;
  /** The `name=value` pairs of every Set-Cookie header. */
  cookies: Record<string, string>;
  /** The raw Set-Cookie headers. */
  setCookies: string[];
}

export interface CallOptions {
  input?: unknown;
  /** Queries go out as GET, mutations as POST (the default). */
  type?: 'query' | 'mutation';
  accessToken?: string;
  headers?: Record<string, string>;
  /** Sent instead of `JSON.stringify(input)`. */
  rawBody?: string;
  contentType?: string;
}

/**
 * One tRPC call over plain `fetch`, for the cases the SDK would hide (foreign origins, forged
 * tokens, wrong content types). The response body is recorded for the leak scans.
 */
export async function call(server: HttpTarget, path: string, options: CallOptions = {}): Promise<RawResponse> {
  const type = options.type ?? 'mutation';
  const headers: Record<string, string> = { ...options.headers };
  if (options.accessToken !== undefined) headers['Authorization'] = `Bearer ${options.accessToken}`;
  let url = `${server.url}/trpc/${path}`;
  let body: string | undefined;
  if (type === 'query') {
    if (options.input !== undefined) url += `?input=${encodeURIComponent(JSON.stringify(options.input))}`;
  } else {
    headers['Content-Type'] ??= options.contentType ?? 'application/json';
    body = options.rawBody ?? (options.input === undefined ? undefined : JSON.stringify(options.input));
  }
  const response = await fetch(url, { method: type === 'query' ? 'GET' : 'POST', headers, body });
  return toRawResponse(server, response);
}

export async function toRawResponse(server: HttpTarget, response: Response): Promise<RawResponse> {
  const text = await response.text();
  server.responseBodies.push(text);
  let parsed: { result?: { data?: unknown }; error?: TrpcErrorBody } = {};
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    // Not JSON (e.g. a plain-text 404); callers assert on `text`.
  }
  const setCookies = response.headers.getSetCookie();
  const cookies = Object.fromEntries(
    setCookies.map((header) => {
      const [pair = ''] = header.split(';');
      const eq = pair.indexOf('=');
      return [pair.slice(0, eq).trim(), decodeURIComponent(pair.slice(eq + 1).trim())];
    }),
  );
  return {
    status: response.status,
    headers: response.headers,
    text,
    data: parsed.result?.data,
    error: parsed.error,
    cookies,
    setCookies,
  };
}

/** Asserts a raw call failed with this tRPC code and returns the error body. */
export function expectError(response: RawResponse, code: string): TrpcErrorBody {
  expect(response.error, `expected ${code}, got HTTP ${response.status}: ${response.text.slice(0, 300)}`).toBeDefined();
  expect(response.error?.data.code).toBe(code);
  return response.error as TrpcErrorBody;
}

/** What a failed SDK call carries, read off the TRPCClientError. */
export interface CallFailure {
  code: string;
  appCode: string | null;
  message: string;
  fieldErrors: Record<string, string[]> | null;
  retryAfterSeconds: number | null;
  requestId: string | null;
}

/** Awaits a promise that must reject with a server error, and returns that error's data. */
export async function failureOf(promise: Promise<unknown>): Promise<CallFailure> {
  let outcome: unknown;
  try {
    outcome = await promise;
  } catch (error: unknown) {
    const data = (error as { data?: Partial<TrpcErrorBody['data']> | null }).data;
    if (!data?.code) throw new Error('the call failed without a server error', { cause: error });
    return {
      code: data.code,
      appCode: data.appCode ?? null,
      message: (error as Error).message,
      fieldErrors: data.fieldErrors ?? null,
      retryAfterSeconds: data.retryAfterSeconds ?? null,
      requestId: data.requestId ?? null,
    };
  }
  throw new Error(`expected the call to fail, but it returned ${JSON.stringify(outcome)?.slice(0, 300)}`);
}
