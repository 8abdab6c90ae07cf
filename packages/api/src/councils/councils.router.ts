import { assertCouncilModels } from '../council/run-admission.service.js';
import { router, scopedProcedure } from '../trpc.js';
import { councilFieldsSchema, councilIdInput, updateCouncilInput } from './councils.schemas.js';
import { createCouncil, deleteCouncil, listCouncilsFor, updateCouncil } from './councils.service.js';

// Saved councils (issue 22 §1). Reading needs the `read` or the `council` scope (a token that may
// ask the council may see which councils it can ask, as /v1/models and the MCP tool must), changing
// them `council` (a token that may ask the council may keep its presets). Models are checked
// exactly as council.start checks them.
export const councilsRouter = router({
  /** The caller's councils and the operator's (read-only, ids `server:<slug>`). */
  list: scopedProcedure(['read', 'council']).query(({ ctx }) => listCouncilsFor(ctx, ctx.session.userId)),

  create: scopedProcedure('council')
    .input(councilFieldsSchema)
    .mutation(({ ctx, input }) =>
      createCouncil(ctx, ctx.session.userId, input, (c) => assertCouncilModels(ctx, ctx.session.userId, c)),
    ),

  /** Changes the given fields; the whole council is checked again. */
  update: scopedProcedure('council')
    .input(updateCouncilInput)
    .mutation(({ ctx, input }) =>
      updateCouncil(ctx, ctx.session.userId, input, (c) => assertCouncilModels(ctx, ctx.session.userId, c)),
    ),

  delete: scopedProcedure('council')
    .input(councilIdInput)
    .mutation(({ ctx, input }) => deleteCouncil(ctx, ctx.session.userId, input.id)),
});
