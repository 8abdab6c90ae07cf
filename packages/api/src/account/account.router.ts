import { exportAccount } from '../portability/export.service.js';
import { protectedProcedure, router } from '../trpc.js';

export const accountRouter = router({
  /** Every conversation of the caller with all it holds, plus account metadata, as one JSON file (docs/export-format.md). */
  exportAll: protectedProcedure.query(({ ctx }) => exportAccount(ctx.db, ctx.session.userId, ctx.now())),
});
