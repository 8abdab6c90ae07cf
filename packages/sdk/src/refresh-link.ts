import { TRPCClientError, type TRPCLink } from '@trpc/client';
import { observable, type Unsubscribable } from '@trpc/server/observable';
import type { AppRouter } from '@llm-council/api';
import { getAppErrorCode, isUnauthorized } from './errors.js';
import type { SessionKeeper } from './session-keeper.js';

const SIGN_IN_PATHS = new Set([
  'auth.register',
  'auth.login',
  'auth.refresh',
  'auth.changePassword',
  'account.changePassword',
]);
/** After these succeed the session is over: the store is cleared (a deleted account has no session). */
const SIGN_OUT_PATHS = new Set(['auth.logout', 'auth.logoutAll', 'account.delete']);
/** Procedures that carry the refresh token (body mode) and never trigger a refresh themselves. */
const REFRESH_TOKEN_PATHS = new Set(['auth.refresh', 'auth.logout']);

/**
 * The refresh-aware link:
 * - fills in `transport` (and, in body mode, the refresh token) for the auth procedures;
 * - stores tokens that `auth.*` returns and forgets them on logout;
 * - refreshes ahead of a known expiry, and on UNAUTHORIZED refreshes once (shared by all
 *   concurrent callers) and retries once; subscriptions resume from their last event id.
 */
export function refreshAwareLink(session: SessionKeeper): TRPCLink<AppRouter> {
  return () =>
    ({ op, next }) =>
      observable((observer) => {
        let subscription: Unsubscribable | undefined;
        let isClosed = false;
        let hasRetried = false;
        let lastEventId: string | undefined;
        const isAuthPath = SIGN_IN_PATHS.has(op.path) || SIGN_OUT_PATHS.has(op.path);
        // Token-store writes (a file store does real I/O) finish before the caller sees the
        // result, so code that awaits `login()` and then exits or reads the store finds the session.
        let storeWrite: Promise<void> = Promise.resolve();
        let hasFailed = false;
        const reportStoreError = (error: unknown) => {
          if (isClosed || hasFailed) return;
          hasFailed = true;
          observer.error(TRPCClientError.from(error instanceof Error ? error : new Error(String(error))));
        };

        const start = async () => {
          if (!isAuthPath && (await session.isAccessTokenStale())) await session.refresh();
          const input = await withAuthDefaults(session, op.path, op.input, lastEventId);
          if (isClosed) return;
          subscription = next({ ...op, input }).subscribe({
            next: (value) => {
              const data: unknown = value.result.type === 'data' ? value.result.data : undefined;
              if (op.type === 'subscription') lastEventId = trackedId(data) ?? lastEventId;
              if (SIGN_IN_PATHS.has(op.path) && data) {
                storeWrite = session.remember(data as Parameters<SessionKeeper['remember']>[0]);
              } else if (SIGN_OUT_PATHS.has(op.path)) {
                storeWrite = session.forget();
              } else {
                return observer.next(value);
              }
              void storeWrite.then(() => observer.next(value), reportStoreError);
            },
            error: (error) => {
              if (isClosed) return;
              // A wrong password (tokens.create) is not an expired session: retrying would
              // only spend a second guess.
              const isWrongPassword = getAppErrorCode(error) === 'INVALID_CREDENTIALS';
              if (!isAuthPath && !hasRetried && isUnauthorized(error) && !isWrongPassword) {
                hasRetried = true;
                retryAfterRefresh(error).catch(reportFailure);
                return;
              }
              observer.error(error);
            },
            complete: () => {
              void storeWrite.then(() => observer.complete(), reportStoreError);
            },
          });
        };

        const retryAfterRefresh = async (originalError: Parameters<typeof observer.error>[0]) => {
          if (!(await session.canRefresh()) || !(await session.refresh())) return observer.error(originalError);
          if (!isClosed) await start();
        };
        const reportFailure = (error: unknown) => {
          if (!isClosed)
            observer.error(TRPCClientError.from(error instanceof Error ? error : new Error(String(error))));
        };

        start().catch(reportFailure);
        return () => {
          isClosed = true;
          subscription?.unsubscribe();
        };
      });
}

async function withAuthDefaults(session: SessionKeeper, path: string, input: unknown, lastEventId: string | undefined) {
  const base = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  if (lastEventId !== undefined) return { ...base, lastEventId };
  if (!SIGN_IN_PATHS.has(path) && !REFRESH_TOKEN_PATHS.has(path)) return input;
  const filled: Record<string, unknown> = { transport: session.transport, ...base };
  if (REFRESH_TOKEN_PATHS.has(path) && session.transport === 'body' && filled['refreshToken'] === undefined) {
    const token = await session.refreshToken();
    if (token) filled['refreshToken'] = token;
  }
  return filled;
}

/** Subscriptions built with tRPC's `tracked()` deliver `{ id, data }`. */
function trackedId(data: unknown): string | undefined {
  if (typeof data === 'object' && data !== null && 'id' in data && typeof data.id === 'string') return data.id;
  return undefined;
}
