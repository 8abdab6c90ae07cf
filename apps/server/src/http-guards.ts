import type { NextFunction, Request, Response } from 'express';

/**
 * CSRF defence for tRPC mutations: a cross-site form or `fetch` in no-cors mode can only send
 * "simple" content types (text/plain, form encodings). Requiring exactly application/json on
 * every POST forces a CORS preflight, which our allowlist refuses for foreign origins.
 */
export function requireJsonPosts(req: Request, res: Response, next: NextFunction): void {
  if (req.method !== 'POST') return next();
  const mediaType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (mediaType === 'application/json') return next();
  res.status(415).json({ error: { message: 'Requests must be sent as application/json' } });
}

/** Whether the request's Origin names this very host (the web client served from here). */
export function isSameOrigin(req: Request): boolean {
  const origin = req.headers.origin;
  const host = req.headers.host;
  if (!origin || !host) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
