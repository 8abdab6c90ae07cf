import type { CouncilEvent } from '@llm-council/council';
import type { Database } from '@llm-council/db';
import type { Kysely, Transaction } from 'kysely';
import { appendMessage, setTitleIfPlaceholder } from '../conversations/conversations.repository.js';
import { DEFAULT_TITLE } from '../conversations/conversations.schemas.js';
import { insertEvent } from './council-events.repository.js';
import { deleteStaleResponses, lockConversation, updateRun, upsertResponse } from './council-runs.repository.js';
import { MODEL_LATE, reviewDetailsOf, verdictOf } from './review-details.js';
import type { RunEventBus } from './run-event-bus.js';

export interface RecorderTarget {
  runId: string;
  conversationId: string;
  attempt: number;
  /** The last sequence number already stored for the run. */
  lastSeq: number;
}

/**
 * Returns the runner's `emit`: each event is stored (numbered) together with its effect on the
 * readable tables — answers, reviews, status — in one transaction, then announced on the bus.
 * A reload therefore shows exactly what subscribers were told, and nothing is lost on a crash
 * beyond the event in flight.
 */
export function createEventRecorder(db: Kysely<Database>, bus: RunEventBus, target: RecorderTarget) {
  let seq = target.lastSeq;
  return async (event: CouncilEvent): Promise<void> => {
    seq += 1;
    const current = seq;
    if (isLogOnly(event)) {
      // Most events (the coalesced deltas) only extend the log: one insert, no transaction.
      await insertEvent(db, target.runId, current, event);
    } else {
      await db.transaction().execute(async (trx) => {
        await insertEvent(trx, target.runId, current, event);
        await applyToTables(trx, target, event);
      });
    }
    await bus.publish(target.runId, current);
  };
}

function isLogOnly(event: CouncilEvent): boolean {
  return (
    event.type === 'model_delta' ||
    event.type === 'stage_completed' ||
    (event.type === 'stage_started' && event.stage !== 'stage3')
  );
}

async function applyToTables(trx: Transaction<Database>, target: RecorderTarget, event: CouncilEvent): Promise<void> {
  const { runId, attempt } = target;
  switch (event.type) {
    case 'run_started':
      return updateRun(trx, runId, { status: 'running', startedAt: new Date(), heartbeatAt: new Date() });
    case 'model_completed':
      // A retry replays the stage-1 answers it reuses (durationMs 0: no upstream call). The row
      // of the attempt that produced the answer stays as it was, real duration included.
      await upsertResponse(
        trx,
        {
          runId,
          stage: event.stage,
          model: event.model,
          status: 'completed',
          content: event.content,
          usage: event.usage,
          durationMs: event.durationMs,
          attempt,
        },
        { keepExisting: event.stage === 'stage1' && event.durationMs === 0 && attempt > 1 },
      );
      if (event.stage === 'stage3') {
        await lockConversation(trx, target.conversationId);
        await appendMessage(trx, {
          conversationId: target.conversationId,
          role: 'assistant',
          content: event.content,
          runId,
        });
      }
      return;
    case 'model_failed':
      return upsertResponse(trx, {
        runId,
        stage: event.stage,
        model: event.model,
        status: 'failed',
        content: null,
        error: event.error,
        attempt,
      });
    case 'review_completed':
      return upsertResponse(trx, {
        runId,
        stage: 'stage2',
        model: event.reviewer,
        status: 'completed',
        content: event.content,
        parsedRanking: event.parsedRanking,
        reviewDetails: reviewDetailsOf(event),
        usage: event.usage,
        durationMs: event.durationMs,
        attempt,
      });
    case 'model_late':
      // Stored as a failure with its own code: the row's status stays completed/failed.
      return upsertResponse(trx, {
        runId,
        stage: event.stage,
        model: event.model,
        status: 'failed',
        content: null,
        error: { code: MODEL_LATE, message: `No reply within ${Math.round(event.waitedMs / 1000)} s; left out.` },
        attempt,
      });
    case 'labels_assigned':
      await deleteStaleResponses(trx, runId, 'stage2', attempt);
      return updateRun(trx, runId, { labelToModel: event.labelToModel, aggregate: null, verdict: null });
    case 'aggregate_ranked':
      return updateRun(trx, runId, { aggregate: event.aggregate, verdict: verdictOf(event) });
    case 'stage_started':
      if (event.stage === 'stage3') await deleteStaleResponses(trx, runId, 'stage3', attempt);
      return;
    case 'title_completed':
      await upsertResponse(trx, {
        runId,
        stage: 'title',
        model: 'title',
        status: 'completed',
        content: event.title,
        attempt,
      });
      return setTitleIfPlaceholder(trx, target.conversationId, event.title, DEFAULT_TITLE);
    case 'run_completed':
      return updateRun(trx, runId, { status: 'completed', finishedAt: new Date(), error: null });
    case 'run_failed':
      return updateRun(trx, runId, {
        status: 'failed',
        finishedAt: new Date(),
        error: { ...event.error, stage: event.stage },
      });
    case 'run_cancelled':
      return updateRun(trx, runId, { status: 'cancelled', finishedAt: new Date() });
    case 'run_interrupted':
      return updateRun(trx, runId, { status: 'interrupted', finishedAt: new Date() });
    case 'model_delta':
    case 'stage_completed':
      return; // carried by the event log alone
  }
}
