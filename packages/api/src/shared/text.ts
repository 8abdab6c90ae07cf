import { z } from 'zod';

export interface TextOptions {
  /** Longest accepted value (after trimming, when `trim` is set). Every string input is bounded. */
  max: number;
  /** Shortest accepted value; omitted = 0. */
  min?: number;
  /** Trim surrounding whitespace before the length checks. */
  trim?: boolean;
  /** What the field is called in messages ("Title", "Message"); default "This field". */
  label?: string;
  /** Overrides the "too long" message. */
  maxMessage?: string;
  /** Overrides the "too short"/"empty" message. */
  minMessage?: string;
}

/** PostgreSQL `text` cannot store U+0000; a value carrying it would fail in the database as a 500. */
const NUL = '\u0000';

/**
 * The one way a string enters the API: bounded, and refusing NUL with a clear BAD_REQUEST before it
 * reaches PostgreSQL. An ESLint rule forbids bare `z.string()` in `*.schemas.ts`, so a new input
 * cannot forget either. The result is a plain `ZodString`: chain `.regex()`, `.toLowerCase()`,
 * `.pipe()` as usual.
 *
 * @example
 * const titleSchema = text({ max: 200, min: 1, trim: true, label: 'Title' });
 */
export function text(options: TextOptions): z.ZodString {
  const label = options.label ?? 'This field';
  // The NUL check comes first: the value is refused for what it is, whatever its length.
  let schema = z.string().refine((value) => !value.includes(NUL), `${label} cannot contain NUL characters`);
  if (options.trim === true) schema = schema.trim();
  const min = options.min ?? 0;
  if (min > 0) {
    const fallback = min === 1 ? `${label} cannot be empty` : `${label} must be at least ${min} characters`;
    schema = schema.min(min, options.minMessage ?? fallback);
  }
  return schema.max(options.max, options.maxMessage ?? `${label} must be at most ${options.max} characters`);
}
