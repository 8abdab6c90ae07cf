import { initTRPC, type TRPCDefaultErrorShape, type TRPCError } from '@trpc/server';
import { isConnectionError } from '@llm-council/db';
import { ZodError } from 'zod';
import type { Context, SignedInUser } from './context.js';
import { AppErrorCause, appError, type AppErrorCode } from './errors.js';
import { resolveSession } from './auth/resolve-session.js';
import type { AccessTokenScope } from './constants.js';
import { isPersonalAccessToken, resolvePersonalAccessToken } from './tokens/personal-access-tokens.js';

const GENERIC_MESSAGE = 'Something went wrong on our side. Please try again.';

/** Every error on the wire: tRPC's shape plus what `describeError` adds (shared with each host's SSE settings). */
export function errorFormatter({
  shape,
  error,
  ctx,
}: {
  shape: TRPCDefaultErrorShape;
  error: TRPCError;
  ctx: Context | undefined;
}) {
  const { message, ...appData } = describeError(error);
  return {
    message,
    code: shape.code,
    data: {
      code: shape.data.code,
      httpStatus: shape.data.httpStatus,
      path: shape.data.path,
      requestId: ctx?.req.requestId ?? null,
      ...appData,
    },
  };
}

// The procedures' tRPC instance. The only other initTRPC gives a host its SSE settings
// (council/event-stream-settings.ts) and shares this error formatter.
const t = initTRPC.context<Context>().create({ errorFormatter });

/**
 * What a client learns about a failure beyond tRPC's own code: the message it may show, the
 * stable app code, a rate limit's wait and per-field validation messages. The error formatter
 * sends this; router tests that call procedures directly read the same thing.
 */
export function describeError(error: TRPCError): {
  message: string;
  appCode: AppErrorCode | null;
  retryAfterSeconds: number | null;
  fieldErrors: Record<string, string[]> | null;
} {
  const cause = error.cause;
  const fieldErrors = cause instanceof ZodError ? flattenIssues(cause) : undefined;
  return {
    message: publicMessage(error, fieldErrors),
    appCode:
      cause instanceof AppErrorCause
        ? cause.appCode
        : error.code === 'PAYLOAD_TOO_LARGE'
          ? 'PAYLOAD_TOO_LARGE'
          : fieldErrors
            ? 'VALIDATION_FAILED'
            : error.code === 'INTERNAL_SERVER_ERROR'
              ? 'INTERNAL'
              : null,
    retryAfterSeconds: cause instanceof AppErrorCause ? (cause.retryAfterSeconds ?? null) : null,
    fieldErrors: fieldErrors ?? null,
  };
}

/** The message a client may see: never internals, never an echo of raw input. */
function publicMessage(error: TRPCError, fieldErrors: Record<string, string[]> | undefined): string {
  if (error.code === 'INTERNAL_SERVER_ERROR') return GENERIC_MESSAGE;
  // JSON.parse quotes the offending input (a password, a key) in its message.
  if (error.code === 'PARSE_ERROR' || error.cause instanceof SyntaxError) return 'The request is not valid JSON';
  if (error.code === 'PAYLOAD_TOO_LARGE' && !(error.cause instanceof AppErrorCause)) return 'The request is too large';
  if (fieldErrors) return describeFieldErrors(fieldErrors);
  return error.message;
}

function flattenIssues(error: ZodError): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = issue.path.length > 0 ? issue.path.join('.') : '(input)';
    (out[key] ??= []).push(issue.message);
  }
  return out;
}

function describeFieldErrors(fields: Record<string, string[]>): string {
  return Object.entries(fields)
    .map(([field, messages]) => `${field}: ${messages.join('; ')}`)
    .join('. ');
}

/** Seconds a client is asked to wait when the database cannot be reached. */
const OUTAGE_RETRY_AFTER_SECONDS = 5;

/**
 * A database that cannot be reached (restart, failover) is a 503 the client can retry, not a
 * 500: the pool fails fast instead of hanging, and the host turns `retryAfterSeconds` into Retry-After.
 */
const reportDatabaseOutage = t.middleware(async ({ next }) => {
  const result = await next();
  if (result.ok || !isConnectionError(result.error.cause)) return result;
  throw appError(
    'SERVICE_UNAVAILABLE',
    'DATABASE_UNAVAILABLE',
    'The service is briefly unavailable. Please try again in a few seconds.',
    { retryAfterSeconds: OUTAGE_RETRY_AFTER_SECONDS },
  );
});

export const router = t.router;
export const publicProcedure = t.procedure.use(reportDatabaseOutage);
export const createCallerFactory = t.createCallerFactory;

/** The signed-in user of a session access token (a JWT), or a clear UNAUTHORIZED. */
async function requireSession(ctx: Context): Promise<SignedInUser> {
  const session: SignedInUser | null = ctx.req.accessToken ? await resolveSession(ctx, ctx.req.accessToken) : null;
  if (!session) throw appError('UNAUTHORIZED', 'SESSION_EXPIRED', 'Please sign in again');
  return session;
}

/**
 * A procedure that requires a signed-in session; `ctx.session` is non-null inside. Personal
 * access tokens are refused here without a lookup: the account itself (password, keys, tokens,
 * deletion) is managed only by someone who knows the password.
 */
export const protectedProcedure = publicProcedure.use(async ({ ctx, next }) =>
  next({ ctx: { ...ctx, session: await requirePasswordSession(ctx) } }),
);

/**
 * The caller of a `protectedProcedure`, or the error it would get. Exported for the host, which
 * checks it before reading a large body (an import) so that nobody signed out can make it parse one.
 */
export async function requirePasswordSession(ctx: Context): Promise<SignedInUser> {
  if (ctx.req.accessToken && isPersonalAccessToken(ctx.req.accessToken)) {
    throw appError('FORBIDDEN', 'ACCESS_TOKEN_FORBIDDEN', 'Access tokens cannot do this; sign in with your password');
  }
  return requireSession(ctx);
}

/**
 * A procedure open to a signed-in session and to personal access tokens carrying `scope`
 * (`read`: list, get, search, export; `council`: start, follow and cancel runs). `null` admits
 * every valid token whatever its scopes: only for saying who the caller is (`auth.whoami`).
 */
export function scopedProcedure(scope: AccessTokenScope | readonly AccessTokenScope[] | null) {
  return publicProcedure.use(async ({ ctx, next }) =>
    next({ ctx: { ...ctx, session: await requireScopedSession(ctx, scope) } }),
  );
}

/**
 * The caller of a `scopedProcedure(scope)`, or the error it would get. Exported for the host's
 * routes that are not procedures (the attachment upload), so they admit exactly the same callers.
 */
export async function requireScopedSession(
  ctx: Context,
  scope: AccessTokenScope | readonly AccessTokenScope[] | null,
): Promise<SignedInUser> {
  // A list admits a token carrying any one of them.
  const scopes = scope === null ? null : typeof scope === 'string' ? [scope] : scope;
  const bearer = ctx.req.accessToken;
  if (!bearer || !isPersonalAccessToken(bearer)) return requireSession(ctx);
  const token = await resolvePersonalAccessToken(ctx, bearer);
  if (!token)
    throw appError('UNAUTHORIZED', 'ACCESS_TOKEN_INVALID', 'This access token is invalid, expired or revoked');
  if (scopes !== null && !scopes.some((s) => token.scopes.includes(s))) {
    const named = scopes.map((s) => `"${s}"`).join(' or ');
    throw appError('FORBIDDEN', 'ACCESS_TOKEN_FORBIDDEN', `This access token lacks the ${named} scope`);
  }
  return {
    userId: token.userId,
    email: token.email,
    sessionId: null,
    personalToken: { id: token.tokenId, expiresAt: token.expiresAt },
  };
}
