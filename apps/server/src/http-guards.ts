import { recordRefusal, type AuditDeps } from '@llm-council/api';
import type { NextFunction, Request, Response } from 'express';

/**
 * CSRF defence for tRPC mutations: a cross-site form or `fetch` in no-cors mode can only send
 * "simple" content types (text/plain, form encodings). Requiring exactly application/json on
 * every POST forces a CORS preflight, which our allowlist refuses for foreign origins.
 */
export function requireJsonPosts(onRefused: (req: Request, mediaType: string) => void) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method !== 'POST') return next();
    const mediaType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (mediaType === 'application/json') return next();
    onRefused(req, mediaType);
    res.status(415).json({ error: { message: 'Requests must be sent as application/json' } });
  };
}

/**
 * Records a refused cross-site POST in the security log: a log line always, a row at most once a
 * minute per address (`recordRefusal`, counted in the database, so it holds across hosts). Nobody
 * is signed in on such a request, so the row has no user.
 */
export function recordCsrfRefusals(deps: AuditDeps): (req: Request, mediaType: string) => void {
  return (req, mediaType) => {
    const ip = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const detail = {
      path: req.path.slice(0, 200),
      contentType: mediaType.slice(0, 100),
      origin: req.headers.origin?.slice(0, 200) ?? null,
    };
    const userAgent = req.headers['user-agent']?.slice(0, 300) ?? null;
    void recordRefusal(deps, { userId: null, event: 'csrf_rejected', ip, userAgent, detail });
  };
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
