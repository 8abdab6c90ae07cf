/**
 * Whether an error means "the database cannot be reached right now" rather than "this query is
 * wrong": worth retrying after a pause, and a 503 for a request. Covers a server restart or
 * failover (SQLSTATE class 08 and 57P01–57P03), a refused or reset socket, and a pool that could
 * not get a connection in time.
 */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code } = error as Error & { code?: unknown };
  if (typeof code === 'string') {
    if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03') return true;
    if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH'].includes(code)) return true;
  }
  return CONNECTION_MESSAGES.some((pattern) => pattern.test(error.message));
}

const CONNECTION_MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Client has encountered a connection error/i,
  /Client was closed and is not queryable/i,
  /terminating connection/i,
];
