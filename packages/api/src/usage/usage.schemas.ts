import { z } from 'zod';

const MAX_RANGE_DAYS = 400;

/** A range of instants, `from` inclusive and `to` exclusive, of at most 400 days. */
const rangeInput = {
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }),
};

function isSensibleRange(input: { from: string; to: string }): boolean {
  const span = Date.parse(input.to) - Date.parse(input.from);
  return span > 0 && span <= MAX_RANGE_DAYS * 24 * 3600 * 1000;
}
const rangeMessage = { message: `to must be after from, at most ${MAX_RANGE_DAYS} days later`, path: ['to'] };

export const usageSummaryInput = z
  .strictObject({ ...rangeInput, groupBy: z.enum(['day', 'model']) })
  .refine(isSensibleRange, rangeMessage);

export const topConversationsInput = z
  .strictObject({ ...rangeInput, limit: z.number().int().min(1).max(50).default(10) })
  .refine(isSensibleRange, rangeMessage);
