import { protectedProcedure, router } from '../trpc.js';
import { renderMathsInput } from './maths.schemas.js';

export const mathsRouter = router({
  /**
   * MathML for each formula, in order: `{ mathml }`, or `{ error: 'parse' }` for TeX KaTeX cannot
   * read (the client shows its source). A query, so one render pass's calls share a request.
   * Each user may have 100,000 characters typeset a minute (TOO_MANY_REQUESTS past it).
   */
  render: protectedProcedure
    .input(renderMathsInput)
    .query(({ ctx, input }) => ctx.services.maths.render(ctx.session.userId, input.formulas)),
});
