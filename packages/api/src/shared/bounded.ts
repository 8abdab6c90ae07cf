import { z } from 'zod';
import { text } from './text.js';

/**
 * Bounds for the numbers, dates and JSON that outside documents (imports) carry, beside `text()`
 * for strings: each refuses, with a message naming the field, a value PostgreSQL would refuse as
 * a 500 — an integer column past int4, a date outside what `timestamptz` stores, JSON nested
 * deeper than anything this app writes.
 */

/** The largest value of a PostgreSQL `integer` column. */
export const INT4_MAX = 2_147_483_647;

/** A whole number from `min` to `max` (at most int4), e.g. an attempt or a duration in ms. */
export function boundedInt(options: { min: number; max?: number; label: string }): z.ZodNumber {
  const max = options.max ?? INT4_MAX;
  return z
    .number({ message: `${options.label} must be a number` })
    .int(`${options.label} must be a whole number`)
    .min(options.min, `${options.label} must be at least ${options.min}`)
    .max(max, `${options.label} must be at most ${max}`);
}

// timestamptz takes 4713 BC to 294276 AD, but ISO 8601 without an expanded year (and JavaScript's
// toISOString, which writes the value back) stays sane only for years 1–9999 in UTC.
const EARLIEST = new Date('0001-01-01T00:00:00.000Z').getTime();
const LATEST = new Date('9999-12-31T23:59:59.999Z').getTime();

/** Whether PostgreSQL stores `date` and it reads back as the same ISO string. */
export function isStorableDate(date: Date): boolean {
  const ms = date.getTime();
  return Number.isFinite(ms) && ms >= EARLIEST && ms <= LATEST;
}

/**
 * An ISO 8601 date-time with a zone, normalised to UTC (`…Z`), that `timestamptz` can store:
 * `2026-02-30`, year 0 (also `0001-01-01T00:00+01:00`) and zones past ±23:59 are refused.
 */
export function storedTimestamp(label: string) {
  return text({ max: 40, label })
    .pipe(z.iso.datetime({ offset: true, message: `${label} must be an ISO 8601 date-time with a zone` }))
    .refine((value) => isStorableDate(new Date(value)), `${label} must be a date from the year 1 to 9999`)
    .transform((value) => new Date(value).toISOString());
}

/**
 * The path of the first place `value` is nested deeper than `maxDepth` objects or arrays, or null.
 * Iterative on purpose: the documents it guards would overflow a recursive walk (and
 * `JSON.stringify`) at a few thousand levels, which one request can carry.
 */
export function findTooDeep(value: unknown, maxDepth: number): string | null {
  const stack: { node: unknown; depth: number; path: string }[] = [{ node: value, depth: 0, path: '' }];
  while (stack.length > 0) {
    const { node, depth, path } = stack.pop() as (typeof stack)[number];
    if (typeof node !== 'object' || node === null) continue;
    if (depth >= maxDepth) return path || '(document)';
    for (const [key, child] of Object.entries(node)) {
      stack.push({ node: child, depth: depth + 1, path: path ? `${path}.${key}` : key });
    }
  }
  return null;
}

/** A JSON object with at most `maxKeys` keys, each a bounded string (zod has no `max` for records). */
export function boundedRecord<V extends z.ZodType>(key: z.ZodString, value: V, maxKeys: number, label: string) {
  return z
    .record(key, value)
    .refine((record) => Object.keys(record).length <= maxKeys, `${label} has at most ${maxKeys} entries`);
}

/**
 * Any JSON value nested at most `maxDepth` objects or arrays deep: a document whose shape the
 * procedure checks itself (an import names its problems better than a schema union would).
 */
export function jsonDocument(options: { maxDepth: number; label: string }) {
  return z.unknown().superRefine((value, ctx) => {
    const at = findTooDeep(value, options.maxDepth);
    if (!at) return;
    const where = at.length > 80 ? `${at.slice(0, 80)}…` : at;
    ctx.addIssue({
      code: 'custom',
      message: `${options.label} is nested more than ${options.maxDepth} levels deep at ${where}`,
    });
  });
}
