import { measureStoredBytes } from '../portability/import.service.js';
import { router, scopedProcedure } from '../trpc.js';
import {
  listCostliestConversations,
  sumDeletedConversationsUsage,
  summarizeUsage,
  type UsageRow,
} from './usage.repository.js';
import { topConversationsInput, usageSummaryInput } from './usage.schemas.js';

export const usageRouter = router({
  /** Tokens and cost per UTC day or per model of the calls paid in [from, to) (the spend ledger), with the total. */
  summary: scopedProcedure('read')
    .input(usageSummaryInput)
    .query(async ({ ctx, input }) => {
      const range = { from: new Date(input.from), to: new Date(input.to) };
      const rows = await summarizeUsage(ctx.db, ctx.session.userId, range, input.groupBy);
      return { rows, total: sumRows(rows) };
    }),

  /** The conversations that cost the most in [from, to), and what was spent in conversations since deleted. */
  topConversations: scopedProcedure('read')
    .input(topConversationsInput)
    .query(async ({ ctx, input }) => {
      const range = { from: new Date(input.from), to: new Date(input.to) };
      return {
        items: await listCostliestConversations(ctx.db, ctx.session.userId, range, input.limit),
        deletedConversations: await sumDeletedConversationsUsage(ctx.db, ctx.session.userId, range),
      };
    }),

  /** The text the caller stores (messages, answers, reviews) and the cap imports are held to (null: none). */
  storage: scopedProcedure('read').query(async ({ ctx }) => ({
    usedBytes: await measureStoredBytes(ctx.db, ctx.session.userId),
    maxBytes: ctx.config.imports.userStorageMaxBytes,
  })),
});

function sumRows(rows: UsageRow[]): Omit<UsageRow, 'key'> {
  return rows.reduce<Omit<UsageRow, 'key'>>(
    (total, row) => ({
      promptTokens: total.promptTokens + row.promptTokens,
      completionTokens: total.completionTokens + row.completionTokens,
      cost: row.cost === null ? total.cost : (total.cost ?? 0) + row.cost,
    }),
    { promptTokens: 0, completionTokens: 0, cost: null },
  );
}
