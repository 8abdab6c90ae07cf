import type { CouncilEvent, Usage } from '@llm-council/council';
import type { Database } from '@llm-council/db';
import type { Transaction } from 'kysely';
import { appendMessage, setTitleIfPlaceholder } from '../conversations/conversations.service.js';
import { DEFAULT_TITLE } from '../constants.js';
import { recordPaidCall } from '../spend/ledger.service.js';
import type { KeySource } from '../spend/spend.service.js';
import {
  deleteStaleResponses,
  findCompletedContent,
  lockConversation,
  updateRun,
  upsertResponse,
} from './council-runs.repository.js';
import { MODEL_LATE, MODEL_STOPPED, reviewDetailsOf, verdictOf } from './review-details.js';
import type { RunEventHub } from './run-event-hub.js';

export interface RecorderTarget {
  runId: string;
  conversationId: string;
  attempt: number;
  /**
   * The run reuses earlier work (a retry, a regeneration): answers and reviews it replays come
   * with durationMs 0 and cost nothing. A first run replays nothing, so its 0 ms calls are paid.
   */
  reusesEarlierWork: boolean;
  /** The last sequence number already stored for the run. */
  lastSeq: number;
  /** Who pays for the run's calls and how: each paid call goes to the spend ledger. */
  payer: { userId: string; keySource: KeySource; provider: string; titleModel: string | null };
}

/**
 * Returns the runner's `emit`: each event is numbered and queued on the hub's group-commit
 * writer together with its effect on the readable tables (answers, reviews, status), which the
 * same transaction applies. Structural events are awaited — durable before the runner goes on,
 * so the next stage never starts on an answer a crash could lose — while deltas are not: they
 * are stored within a flush interval, and a failure to store one surfaces at the next awaited
 * event. Subscribers are handed only what is stored.
 */
export function createEventRecorder(hub: RunEventHub, target: RecorderTarget, now: () => Date) {
  let seq = target.lastSeq;
  const streaming = new Set<string>();
  // What each model still streaming has sent so far: a run stopped mid-answer keeps it.
  const partial = new Map<string, { stage: 'stage1' | 'stage3'; model: string; text: string }>();
  // What each model has thought aloud so far: stored with its answer (or its stopped partial one).
  const thinking = new Map<string, string>();
  return (event: CouncilEvent): Promise<void> => {
    seq += 1;
    const envelope = { runId: target.runId, seq, at: now().toISOString(), event };
    if (event.type === 'model_delta') {
      // A model's first words go out at once; the rest ride on the next batch.
      const key = `${event.stage}:${event.model}`;
      const isFirst = !streaming.has(key);
      streaming.add(key);
      const sent = partial.get(key);
      partial.set(key, { stage: event.stage, model: event.model, text: (sent?.text ?? '') + event.text });
      hub.append({ envelope, effect: null, isUrgent: isFirst }).catch(() => undefined);
      return Promise.resolve();
    }
    if (event.type === 'model_reasoning') {
      // Thinking is shown live and replayed from the log; it is never part of an answer.
      const key = `thinking:${event.stage}:${event.model}`;
      const isFirst = !streaming.has(key);
      streaming.add(key);
      const answerKey = `${event.stage}:${event.model}`;
      thinking.set(answerKey, (thinking.get(answerKey) ?? '') + event.text);
      hub.append({ envelope, effect: null, isUrgent: isFirst }).catch(() => undefined);
      return Promise.resolve();
    }
    let reasoning: string | null = null;
    if (event.type === 'model_completed' || event.type === 'model_failed' || event.type === 'model_late') {
      const key = `${event.stage}:${event.model}`;
      partial.delete(key);
      reasoning = thinking.get(key) ?? null;
      thinking.delete(key);
    }
    const stopped =
      event.type === 'run_cancelled' || event.type === 'run_interrupted'
        ? [...partial.entries()]
            .filter(([, p]) => p.text !== '')
            .map(([key, p]) => ({ ...p, reasoning: thinking.get(key) ?? null }))
        : [];
    const effect = hasTableEffect(event)
      ? async (trx: Transaction<Database>) => {
          for (const answer of stopped) await keepStoppedAnswer(trx, target, answer);
          await applyToTables(trx, target, event, reasoning);
        }
      : null;
    return hub.append({ envelope, effect, isUrgent: true });
  };
}

/**
 * A stopped run keeps the text its models had streamed, exactly what was shown live: stored as
 * a failure with its own code (like a late model), so a retry asks that model again.
 */
function keepStoppedAnswer(
  trx: Transaction<Database>,
  target: RecorderTarget,
  answer: { stage: 'stage1' | 'stage3'; model: string; text: string; reasoning: string | null },
): Promise<void> {
  return upsertResponse(trx, {
    runId: target.runId,
    stage: answer.stage,
    model: answer.model,
    status: 'failed',
    content: answer.text,
    reasoning: answer.reasoning,
    error: { code: MODEL_STOPPED, message: 'Stopped before it finished.' },
    attempt: target.attempt,
  });
}

function hasTableEffect(event: CouncilEvent): boolean {
  return !(
    event.type === 'model_delta' ||
    event.type === 'model_reasoning' ||
    event.type === 'stage_completed' ||
    (event.type === 'stage_started' && event.stage !== 'stage3')
  );
}

/** `reasoning`: what the model of a model_completed/failed/late event thought aloud, if anything. */
async function applyToTables(
  trx: Transaction<Database>,
  target: RecorderTarget,
  event: CouncilEvent,
  reasoning: string | null,
): Promise<void> {
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
          sources: event.sources ?? null,
          reasoning,
          durationMs: event.durationMs,
          attempt,
        },
        { keepExisting: isReplay(event.durationMs, target) && event.stage === 'stage1' },
      );
      if (!isReplay(event.durationMs, target)) await pay(trx, target, event.stage, event.model, event.usage);
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
    case 'model_late':
      // A late model is stored as a failure with its own code: the row's status stays completed/failed.
      return upsertResponse(trx, {
        runId,
        stage: event.stage,
        model: event.model,
        status: 'failed',
        content: null,
        reasoning,
        error:
          event.type === 'model_failed'
            ? event.error
            : { code: MODEL_LATE, message: `No reply within ${Math.round(event.waitedMs / 1000)} s; left out.` },
        attempt,
      });
    case 'review_completed':
      if (!isReplay(event.durationMs, target)) await pay(trx, target, 'stage2', event.reviewer, event.usage);
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
    case 'labels_assigned':
      await deleteStaleResponses(trx, runId, 'stage2', attempt);
      return updateRun(trx, runId, { labelToModel: event.labelToModel, aggregate: null, verdict: null });
    case 'aggregate_ranked':
      return updateRun(trx, runId, { aggregate: event.aggregate, verdict: verdictOf(event) });
    case 'stage_started':
      if (event.stage === 'stage3') await deleteStaleResponses(trx, runId, 'stage3', attempt);
      return;
    case 'title_completed':
      await pay(trx, target, 'title', target.payer.titleModel ?? 'title', event.usage);
      await upsertResponse(trx, {
        runId,
        stage: 'title',
        model: 'title',
        status: 'completed',
        content: event.title,
        // Title calls count towards usage and daily budgets like every other call.
        usage: event.usage ?? null,
        attempt,
      });
      return setTitleIfPlaceholder(trx, target.conversationId, event.title, DEFAULT_TITLE);
    case 'run_completed':
      // Without a chairman, the answer the runner names stands for the run in the conversation.
      if (event.answerModel !== undefined) await appendStandingAnswer(trx, target, event.answerModel);
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
    case 'model_reasoning':
    case 'stage_completed':
      return; // carried by the event log alone
  }
}

async function appendStandingAnswer(trx: Transaction<Database>, target: RecorderTarget, model: string): Promise<void> {
  const content = await findCompletedContent(trx, target.runId, 'stage1', model);
  if (content === undefined) return;
  await lockConversation(trx, target.conversationId);
  await appendMessage(trx, { conversationId: target.conversationId, role: 'assistant', content, runId: target.runId });
}

/** A retry or a regeneration replays the answers and reviews it reuses with durationMs 0: no call was made, nothing paid. */
function isReplay(durationMs: number, target: RecorderTarget): boolean {
  return durationMs === 0 && target.reusesEarlierWork;
}

function pay(
  trx: Transaction<Database>,
  target: RecorderTarget,
  stage: 'stage1' | 'stage2' | 'stage3' | 'title',
  model: string,
  usage: Usage | null | undefined,
): Promise<void> {
  const { userId, keySource, provider } = target.payer;
  return recordPaidCall(trx, { userId, runId: target.runId, keySource, provider, model, stage, usage });
}
