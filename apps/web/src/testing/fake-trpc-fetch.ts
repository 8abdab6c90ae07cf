import { createCouncilClient, type CouncilClient } from '@llm-council/sdk';

/*
 * A stand-in for the network, not for our code: the real SDK client (links, error parsing,
 * getFieldErrors…) talks to this fake `fetch`, which answers tRPC batch requests the way the
 * server's error formatter does. Tests thereby exercise exactly what the browser would.
 */

export interface FakeError {
  /** tRPC code, e.g. 'BAD_REQUEST'. */
  code: 'BAD_REQUEST' | 'UNAUTHORIZED' | 'CONFLICT' | 'TOO_MANY_REQUESTS' | 'NOT_FOUND' | 'PRECONDITION_FAILED';
  message: string;
  appCode?: string;
  fieldErrors?: Record<string, string[]>;
  retryAfterSeconds?: number;
}

export type FakeReply = { data: unknown } | { error: FakeError };
export type FakeHandler = (input: unknown) => FakeReply | Promise<FakeReply>;

const JSON_RPC_CODES: Record<FakeError['code'], [number, number]> = {
  BAD_REQUEST: [-32600, 400],
  UNAUTHORIZED: [-32001, 401],
  NOT_FOUND: [-32004, 404],
  CONFLICT: [-32009, 409],
  PRECONDITION_FAILED: [-32012, 412],
  TOO_MANY_REQUESTS: [-32029, 429],
};

export interface FakeServer {
  fetch: typeof fetch;
  /** Every procedure call received, in order. */
  calls: { path: string; input: unknown }[];
}

export function fakeTrpcServer(handlers: Record<string, FakeHandler>): FakeServer {
  const calls: FakeServer['calls'] = [];
  const fakeFetch = async (request: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(typeof request === 'string' ? request : request instanceof URL ? request.href : request.url);
    const paths = decodeURIComponent(url.pathname.replace(/^.*\/trpc\//, '')).split(',');
    // httpBatchLink sends `?batch=1` and an object of inputs keyed by index; httpLink (the SDK's
    // refresh call) sends one bare input and expects one bare result.
    const isBatch = url.searchParams.get('batch') === '1';
    const raw: unknown =
      init?.method === 'POST'
        ? typeof init.body === 'string'
          ? JSON.parse(init.body)
          : undefined
        : JSON.parse(url.searchParams.get('input') ?? 'null');
    const body = (isBatch ? raw : { 0: raw }) as Record<string, unknown>;
    const replies = await Promise.all(
      paths.map(async (path, index) => {
        const input = body[String(index)];
        calls.push({ path, input });
        const handler = handlers[path];
        const reply: FakeReply = handler
          ? await handler(input)
          : { error: { code: 'NOT_FOUND', message: `No procedure ${path}` } };
        return 'data' in reply ? { result: { data: reply.data } } : { error: errorShape(path, reply.error) };
      }),
    );
    return new Response(JSON.stringify(isBatch ? replies : replies[0]), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  };
  return { fetch: fakeFetch, calls };
}

function errorShape(path: string, error: FakeError) {
  const [code, httpStatus] = JSON_RPC_CODES[error.code];
  return {
    message: error.message,
    code,
    data: {
      code: error.code,
      httpStatus,
      path,
      appCode: error.appCode ?? null,
      fieldErrors: error.fieldErrors ?? null,
      retryAfterSeconds: error.retryAfterSeconds ?? null,
    },
  };
}

/** The real SDK client over a fake server. */
export function clientFor(server: FakeServer): CouncilClient {
  return createCouncilClient({ url: 'http://council.test', transport: 'cookie', fetch: server.fetch });
}

/**
 * A real `TRPCClientError` as the SDK produces it for `error` (what a stubbed procedure should
 * reject with, so `getAppErrorCode` and friends see exactly what they see in production).
 */
export async function sdkError(error: FakeError): Promise<unknown> {
  const client = clientFor(fakeTrpcServer({ 'auth.me': () => ({ error }) }));
  return client.auth.me.query().then(
    () => {
      throw new Error('expected the fake call to fail');
    },
    (rejection: unknown) => rejection,
  );
}
