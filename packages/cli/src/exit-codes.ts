import { getAppErrorCode } from '@llm-council/sdk';

/** The command's exit codes; scripts rely on them. */
export const ExitCode = {
  ok: 0,
  runFailed: 1,
  usage: 2,
  auth: 3,
  /** 128 + SIGINT, as shells report a command stopped with Ctrl-C. */
  interrupted: 130,
} as const;

/** A failure with the exit code it should end the command with. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

// What another token or a sign-in would fix: 3, not a failed run.
const authCodes = new Set([
  'ACCESS_TOKEN_INVALID',
  'ACCESS_TOKEN_FORBIDDEN',
  'ACCOUNT_DISABLED',
  'SESSION_EXPIRED',
  'INVALID_CREDENTIALS',
]);

/** Turns whatever a command threw into a message and an exit code. */
export function describeFailure(error: unknown, serverUrl: string | null): { message: string; exitCode: number } {
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode };
  const unreachable = serverUrl === null ? null : networkFailureOf(error);
  if (unreachable) return { message: `cannot reach ${serverUrl}: ${unreachable}`, exitCode: ExitCode.runFailed };
  const appCode = getAppErrorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  const httpCode = (error as { data?: { code?: unknown } | null } | null)?.data?.code;
  if ((appCode && authCodes.has(appCode)) || httpCode === 'UNAUTHORIZED') {
    return { message: `${message}\nRun \`llm-council login\` or set LLM_COUNCIL_TOKEN.`, exitCode: ExitCode.auth };
  }
  if (appCode === 'VALIDATION_FAILED' || httpCode === 'BAD_REQUEST') return { message, exitCode: ExitCode.usage };
  return { message, exitCode: ExitCode.runFailed };
}

/**
 * The reason a request never got an answer (connection refused, unknown host, reset…), or null
 * when the server did answer. fetch wraps the system error: TRPCClientError → TypeError('fetch
 * failed') → { code: 'ECONNREFUSED', message }.
 */
function networkFailureOf(error: unknown): string | null {
  if ((error as { data?: unknown } | null)?.data) return null; // the server answered
  let cause: unknown = error;
  let fetchFailed = false;
  let innermost = '';
  for (let depth = 0; depth < 5 && cause instanceof Error; depth += 1) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return cause.message || code;
    fetchFailed ||= cause instanceof TypeError && cause.message === 'fetch failed';
    innermost = cause.message || innermost;
    cause = cause.cause;
  }
  // fetch refused to connect without a system error code (e.g. a port it blocks: "bad port").
  return fetchFailed ? innermost : null;
}
