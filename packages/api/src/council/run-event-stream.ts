import { tracked } from '@trpc/server';
import { terminalEventTypes, type CouncilEventEnvelope } from '@llm-council/council';
import type { Context, SignedInUser } from '../context.js';
import { isActiveRunStatus } from '../constants.js';
import { appError, notFound } from '../errors.js';
import { listEventsAfter } from './council-events.repository.js';
import { findRun, findRunForUser } from './council-runs.repository.js';

const PAGE_SIZE = 500;
/** A safety net should a notification be lost: a log with no writer here looks at the database this often. */
const POLL_INTERVAL_MS = 10_000;

/**
 * A run's events for a subscriber: first everything stored after `lastEventId` (the resume
 * point), then live events as they are stored. Live events come from the run's in-memory log on
 * this host (one per run, shared by every subscriber here); the database is read only for what
 * the log does not hold. Every event arrives once, in order: the log holds stored events only,
 * numbered without gaps. The stream ends once the run is over and everything has been
 * delivered; a retried run is followed by subscribing again.
 */
export async function* streamRunEvents(
  ctx: Context & { session: SignedInUser },
  runId: string,
  lastEventId: string | null | undefined,
  signal: AbortSignal | undefined,
) {
  if (!(await findRunForUser(ctx.db, ctx.session.userId, runId))) throw notFound('Run');
  const { hub, streams } = ctx.services.council;
  // Synchronous check-and-take: parallel opens are counted one after another, so a batch cannot slip past the cap.
  const releaseSlot = streams.take(ctx.session.userId);
  // Signing out (this device, everywhere, or by a password change) or revoking the personal
  // access token that opened the stream ends it at once, on every host.
  const { personalToken } = ctx.session;
  const session = ctx.services.sessions.watch(ctx.session.userId, {
    sessionId: ctx.session.sessionId,
    tokenId: personalToken?.id ?? null,
  });
  const expiry = personalToken?.expiresAt ? expiryOf(ctx, personalToken.expiresAt) : null;
  const stop = AbortSignal.any([session.signal, ...(signal ? [signal] : []), ...(expiry ? [expiry.signal] : [])]);
  const log = hub.hold(runId);
  let last = lastEventId ? Number(lastEventId) : 0;
  let lastType: CouncilEventEnvelope['event']['type'] | undefined;
  try {
    while (!stop.aborted) {
      // Checked on the API's clock before every page, so an expired token gets no further event.
      if (expiry?.hasPassed()) break;
      const page = log.readAfter(last, PAGE_SIZE) ?? (await listEventsAfter(ctx.db, runId, last, PAGE_SIZE));
      for (const envelope of page) {
        last = envelope.seq;
        lastType = envelope.event.type;
        yield tracked(String(envelope.seq), envelope satisfies CouncilEventEnvelope);
      }
      if (page.length > 0) continue;
      // Asked only before the first event and after a terminal one: never once per event.
      const mayBeOver = lastType === undefined || terminalEventTypes.has(lastType);
      if (mayBeOver && (await isOverAndDelivered(ctx, runId, last))) return;
      await log.waitForMore(last, stop, POLL_INTERVAL_MS);
    }
    if (session.signal.aborted && personalToken) throw tokenEnded();
    if (session.signal.aborted) throw appError('UNAUTHORIZED', 'SESSION_EXPIRED', 'Your session has ended');
    if (expiry && (expiry.signal.aborted || expiry.hasPassed())) throw tokenEnded();
  } finally {
    releaseSlot();
    session.stop();
    expiry?.stop();
    hub.release(log);
  }
}

async function isOverAndDelivered(ctx: Context, runId: string, last: number): Promise<boolean> {
  const run = await findRun(ctx.db, runId);
  if (!run) return true; // deleted with its conversation
  if (isActiveRunStatus(run.status)) return false;
  return (await listEventsAfter(ctx.db, runId, last, 1)).length === 0;
}

function tokenEnded() {
  return appError('UNAUTHORIZED', 'ACCESS_TOKEN_INVALID', 'This access token is invalid, expired or revoked');
}

/**
 * A personal access token's expiry as a stream sees it: `hasPassed` on the API's clock (checked
 * before every page), and a signal that fires when it comes, so an idle stream ends on time too.
 */
function expiryOf(ctx: Context, expiresAt: Date) {
  const controller = new AbortController();
  const hasPassed = () => ctx.now() >= expiresAt;
  // setTimeout takes at most 2^31-1 ms (~24.8 days); a later expiry is caught by `hasPassed`.
  const delayMs = Math.min(expiresAt.getTime() - ctx.now().getTime(), 2 ** 31 - 1);
  const timer = setTimeout(() => controller.abort(), Math.max(0, delayMs));
  timer.unref();
  return { signal: controller.signal, hasPassed, stop: () => clearTimeout(timer) };
}
