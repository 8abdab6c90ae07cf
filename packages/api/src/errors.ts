import { TRPCError } from '@trpc/server';

import { type AppErrorCode } from './error-codes.js';

export { appErrorCodes, type AppErrorCode } from './error-codes.js';

/** Carried as a TRPCError's cause; the error formatter copies its fields into `error.data`. */
export class AppErrorCause extends Error {
  constructor(
    readonly appCode: AppErrorCode,
    readonly retryAfterSeconds?: number,
  ) {
    super(appCode);
    this.name = 'AppErrorCause';
  }
}

type TrpcCode = ConstructorParameters<typeof TRPCError>[0]['code'];

/** Builds the TRPCError to throw for an expected failure; the message is shown to users. */
export function appError(
  code: TrpcCode,
  appCode: AppErrorCode,
  message: string,
  options: { retryAfterSeconds?: number } = {},
): TRPCError {
  return new TRPCError({ code, message, cause: new AppErrorCause(appCode, options.retryAfterSeconds) });
}

export function notFound(what: string): TRPCError {
  return appError('NOT_FOUND', 'NOT_FOUND', `${what} not found`);
}

/** A disabled account is refused with its own code, so a client can say why (signing in again will not help). */
export function accountDisabledError(): TRPCError {
  return appError('FORBIDDEN', 'ACCOUNT_DISABLED', 'This account has been disabled by the operator');
}
