import { tracked } from '@trpc/server';
import { terminalEventTypes, type CouncilEventEnvelope } from '@llm-council/council';
import type { Context, SignedInUser } from '../context.js';
import { isActiveRunStatus } from '../constants.js';
import { notFound } from '../errors.js';
import { listEventsAfter } from './council-events.repository.js';
import { findRun, findRunForUser } from './council-runs.repository.js';

const PAGE_SIZE = 500;
/** A safety net should a notification be lost: look at the log at least this often. */
const POLL_INTERVAL_MS = 10_000;

/**
 * A run's events for a subscriber: first everything stored after `lastEventId` (the resume
 * point), then live events as they are stored. It listens before it reads, so nothing that is
 * stored meanwhile slips between replay and live. It ends once the run is over and everything
 * has been delivered; a retried run is followed by subscribing again.
 */
export async function* streamRunEvents(
  ctx: Context & { session: SignedInUser },
  runId: string,
  lastEventId: string | null | undefined,
  signal: AbortSignal | undefined,
) {
  if (!(await findRunForUser(ctx.db, ctx.session.userId, runId))) throw notFound('Run');
  let last = lastEventId ? Number(lastEventId) : 0;
  let hasNews = true;
  let wake = () => {};
  const onAbort = () => wake();
  signal?.addEventListener('abort', onAbort, { once: true });
  const unsubscribe = ctx.services.council.bus.subscribe(runId, (seq) => {
    if (seq > last) {
      hasNews = true;
      wake();
    }
  });
  try {
    while (!signal?.aborted) {
      hasNews = false;
      const batch = await listEventsAfter(ctx.db, runId, last, PAGE_SIZE);
      for (const stored of batch) {
        last = stored.seq;
        const envelope: CouncilEventEnvelope = {
          runId,
          seq: stored.seq,
          at: stored.at.toISOString(),
          event: stored.event,
        };
        yield tracked(String(stored.seq), envelope);
      }
      if (batch.length === PAGE_SIZE || hasNews) continue;
      const lastEvent = batch.at(-1)?.event;
      if (batch.length === 0 || (lastEvent && terminalEventTypes.has(lastEvent.type))) {
        if (await isOverAndDelivered(ctx, runId, last)) return;
      }
      await new Promise<void>((resolve) => {
        // A notification (or abort) that landed while we were reading called the previous,
        // already-settled `wake`; without this check it would sit out the whole poll interval.
        if (hasNews || signal?.aborted) return resolve();
        const timer = setTimeout(resolve, POLL_INTERVAL_MS);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    unsubscribe();
    signal?.removeEventListener('abort', onAbort);
  }
}

async function isOverAndDelivered(ctx: Context, runId: string, last: number): Promise<boolean> {
  const run = await findRun(ctx.db, runId);
  if (!run) return true; // deleted with its conversation
  if (isActiveRunStatus(run.status)) return false;
  return (await listEventsAfter(ctx.db, runId, last, 1)).length === 0;
}
