import pino, { type Logger } from 'pino';

/** Anything secret that could ride along in a logged object is censored, at any depth we log. */
const REDACTED_KEYS = [
  'authorization',
  'cookie',
  'set-cookie',
  'password',
  'currentPassword',
  'newPassword',
  'apiKey',
  'refreshToken',
  'accessToken',
  'token',
];

/**
 * Fields of a database error that carry row values rather than the statement: PGlite attaches the
 * bound parameters (password hashes, message text) as `params`, and PostgreSQL's `detail` quotes
 * the offending key ("Key (email)=(…) already exists"). The statement text, code and constraint stay.
 */
const QUERY_DATA_KEYS = new Set(['params', 'parameters', 'queryOptions', 'detail']);

/** Drops query data from a serialized error and from every `cause` under it. */
function scrubQueryData(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => scrubQueryData(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !QUERY_DATA_KEYS.has(key))
      .map(([key, inner]) => [key, scrubQueryData(inner, depth + 1)]),
  );
}

/** pino's error serializer (message, stack, causes), minus query data. */
function serializeError(error: unknown): unknown {
  return scrubQueryData(error instanceof Error ? pino.stdSerializers.errWithCause(error) : error);
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const paths = REDACTED_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `req.headers["${key}"]`]);
  return pino(
    {
      level,
      redact: { paths, censor: '[redacted]' },
      base: { service: 'llm-council' },
      serializers: { err: serializeError, error: serializeError },
    },
    destination,
  );
}
