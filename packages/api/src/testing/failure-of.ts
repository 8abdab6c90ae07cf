import { TRPCError } from '@trpc/server';
import { describeError } from '../trpc.js';

/** What a failed call tells its client, as the error formatter would put it on the wire. */
export interface CallFailure extends ReturnType<typeof describeError> {
  code: TRPCError['code'];
}

/** Awaits a call that must fail with a TRPCError and returns what the client would see. */
export async function failureOf(promise: Promise<unknown>): Promise<CallFailure> {
  let outcome: unknown;
  try {
    outcome = await promise;
  } catch (error: unknown) {
    return describeFailure(error);
  }
  throw new Error(`expected the call to fail, but it returned ${JSON.stringify(outcome)?.slice(0, 300)}`);
}

/** What the client would see of an error a call threw; anything but a TRPCError is a test failure. */
export function describeFailure(error: unknown): CallFailure {
  if (!(error instanceof TRPCError)) throw new Error('the call failed without a TRPCError', { cause: error });
  return { code: error.code, ...describeError(error) };
}
