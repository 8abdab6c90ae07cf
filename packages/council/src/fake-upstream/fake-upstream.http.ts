import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';

/** Waits `ms`, or rejects as soon as the client hangs up, so no timer outlives its request. */
export async function wait(ms: number, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  if (ms > 0) await delay(ms, undefined, { signal });
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

const errorMessages: Record<number, string> = {
  400: 'Bad request',
  401: 'User not found.',
  402: 'Insufficient credits. Add more using https://openrouter.ai/settings/credits',
  403: 'Your input was flagged by moderation.',
  404: 'Not found',
  408: 'Request timed out',
  429: 'Rate limit exceeded. Please slow down.',
  500: 'Internal server error',
  502: 'Provider returned error',
  503: 'No available provider for this model',
};

/** OpenRouter's error shape: `{ error: { code, message, metadata? } }` with a matching status. */
export function sendError(
  res: ServerResponse,
  status: number,
  options: { message?: string; headers?: Record<string, string> } = {},
): void {
  const message = options.message ?? errorMessages[status] ?? 'Upstream error';
  sendJson(res, status, { error: { code: status, message, metadata: { provider_name: 'Fake' } } }, options.headers);
}

/** Reads a JSON request body (bounded); undefined when it is not JSON. */
export async function readJsonBody(req: IncomingMessage, maxBytes = 10_000_000): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBytes) return undefined;
    chunks.push(buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    // The caller answers 400 for a body that is not JSON.
    return undefined;
  }
}

/** The bearer token from an `Authorization` header, if any. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  return match?.[1]?.trim();
}
