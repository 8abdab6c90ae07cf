import { describeError, requirePasswordSession, type Context } from '@llm-council/api';
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import type { NextFunction, Request, Response } from 'express';

export interface BodyLimits {
  /** Every procedure's body limit unless it is named in `larger`. */
  defaultBytes: number;
  /** Procedures that take more (an import carries a whole file), by procedure path. */
  larger: Record<string, number>;
}

/**
 * The body limit of a request to `/trpc/<paths>`: the smallest of the procedures it names, so a
 * batch cannot borrow the import's limit for a sign-in (`conversations.import,auth.login`).
 */
export function bodyLimitOf(paths: string[], limits: BodyLimits): number {
  return Math.min(...paths.map((path) => limits.larger[path] ?? limits.defaultBytes));
}

/** What the guard needs from the host: its limits and a way to build a procedure's context. */
export interface BodyGuardDeps {
  limits: BodyLimits;
  createContext: (opts: { req: Request; res: Response }) => Context;
}

/**
 * Runs before tRPC reads a byte of the body. A declared length past the request's limit is refused
 * at once; a request allowed a larger body (only imports) must come from a signed-in password
 * session, checked from its headers, so that nobody signed out can make the server buffer and
 * parse 20 MiB. The chosen limit is left in `res.locals.bodyLimit` for the dispatcher.
 */
export function guardBodies(deps: BodyGuardDeps) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const paths = req.path.slice(1).split(',');
    const limit = bodyLimitOf(paths, deps.limits);
    res.locals['bodyLimit'] = limit;
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      return refuseUnread(req, res, paths, new TRPCError({ code: 'PAYLOAD_TOO_LARGE' }));
    }
    if (limit <= deps.limits.defaultBytes || req.method !== 'POST') return next();
    requirePasswordSession(deps.createContext({ req, res })).then(
      () => next(),
      (error: unknown) => {
        if (error instanceof TRPCError) return refuseUnread(req, res, paths, error);
        next(error);
      },
    );
  };
}

/**
 * Answers every call of the request with the error, in tRPC's own shape (the SDK refreshes on
 * UNAUTHORIZED as it would for any call), without reading the body: the connection is closed
 * after the answer, so the rest of the upload is never taken in.
 */
function refuseUnread(req: Request, res: Response, paths: string[], error: TRPCError): void {
  const status = getHTTPStatusCodeFromError(error);
  const described = describeError(error);
  const shapeOf = (path: string) => ({
    error: {
      message: described.message,
      code: TRPC_ERROR_CODES_BY_KEY[error.code],
      data: {
        code: error.code,
        httpStatus: status,
        path,
        requestId: (res.locals['requestId'] as string | undefined) ?? null,
        appCode: described.appCode,
        retryAfterSeconds: described.retryAfterSeconds,
        fieldErrors: null,
      },
    },
  });
  const isBatch = req.query['batch'] !== undefined;
  res.setHeader('Connection', 'close');
  res.status(status).json(isBatch ? paths.map(shapeOf) : shapeOf(paths[0] ?? ''));
}
