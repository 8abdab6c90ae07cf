import { router, scopedProcedure } from '../trpc.js';
import { findProvider } from '../settings/providers.js';
import { notFound } from '../errors.js';
import { cancelRun, startRun } from './council.service.js';
import { retryRun } from './run-retry.service.js';
import { editQuestion, regenerateRun } from './run-versions.service.js';
import {
  editQuestionInput,
  modelsInput,
  regenerateRunInput,
  runEventsInput,
  runIdInput,
  startRunInput,
} from './council.schemas.js';
import { findRunForUser } from './council-runs.repository.js';
import { streamRunEvents } from './run-event-stream.js';
import { getRunRecord } from './run-records.js';

export const councilRouter = router({
  /** The provider's model catalog (cached), with the server's default council. */
  models: scopedProcedure('council')
    .input(modelsInput)
    .query(async ({ ctx, input }) => {
      const provider = findProvider(ctx.config, input.provider);
      const catalog = await ctx.services.council.catalog.list(provider);
      const { models, chairmanModel } = ctx.config.council;
      return { provider: provider.id, ...catalog, defaults: { models, chairmanModel } };
    }),

  /** Asks the council a question in a conversation; the run continues even if the client leaves. */
  start: scopedProcedure('council')
    .input(startRunInput)
    .mutation(({ ctx, input }) => startRun(ctx, ctx.session, input)),

  /**
   * Asks a new version of an earlier question: a new branch from that point, shown from now on.
   * The old question and its run stay (`conversations.showVersion` switches back).
   */
  edit: scopedProcedure('council')
    .input(editQuestionInput)
    .mutation(({ ctx, input }) => editQuestion(ctx, ctx.session, input)),

  /**
   * A new version of a finished turn, shown from now on: a new synthesis over the same answers
   * and reviews, or (`model`) that model's answer again with new reviews and synthesis.
   */
  regenerate: scopedProcedure('council')
    .input(regenerateRunInput)
    .mutation(({ ctx, input }) => regenerateRun(ctx, ctx.session, input)),

  /** A run's events: replays everything after `lastEventId`, then follows live. */
  events: scopedProcedure('council')
    .input(runEventsInput)
    .subscription(async function* ({ ctx, input, signal }) {
      yield* streamRunEvents(ctx, input.runId, input.lastEventId, signal);
    }),

  cancel: scopedProcedure('council')
    .input(runIdInput)
    .mutation(({ ctx, input }) => cancelRun(ctx, ctx.session.userId, input.runId)),

  /** Re-runs only what failed, reusing completed answers. Subscribe to `events` again afterwards. */
  retry: scopedProcedure('council')
    .input(runIdInput)
    .mutation(({ ctx, input }) => retryRun(ctx, ctx.session.userId, input.runId)),

  get: scopedProcedure('read')
    .input(runIdInput)
    .query(async ({ ctx, input }) => {
      const run = await findRunForUser(ctx.db, ctx.session.userId, input.runId);
      if (!run) throw notFound('Run');
      return getRunRecord(ctx.db, run);
    }),
});
