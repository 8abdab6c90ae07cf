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

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const paths = REDACTED_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `req.headers["${key}"]`]);
  return pino({ level, redact: { paths, censor: '[redacted]' }, base: { service: 'llm-council' } }, destination);
}
