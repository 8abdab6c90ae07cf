/**
 * What the API needs from its host that is neither data nor database: somewhere to log and a
 * time source. They have their own module so that the context, the services and the background
 * executor can all name them without importing one another.
 */

/** Structured logging; the host passes its pino logger, tests a recorder. */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/**
 * The current time as the API sees it (token lifetimes, grace windows, rate limits). A function
 * rather than `new Date()` at each use so that tests can move it forward.
 */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
