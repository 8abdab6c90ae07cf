import { protectedProcedure, router } from '../trpc.js';
import { renderMathsInput } from './maths.schemas.js';
import { renderMaths } from './maths.service.js';

export const mathsRouter = router({
  /**
   * MathML for each formula, in order: `{ mathml }`, or `{ error: 'parse' }` for TeX KaTeX cannot
   * read (the client shows its source). A query, so one render pass's calls share a request.
   * Each user may have `rateLimits.mathsCharsPerUser` of TeX not cached typeset (TOO_MANY_REQUESTS past it).
   */
  render: protectedProcedure
    .input(renderMathsInput)
    .query(({ ctx, input }) =>
      renderMaths({ ...ctx, typesetter: ctx.services.maths }, ctx.session.userId, input.formulas),
    ),
});
