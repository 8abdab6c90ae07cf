import {
  createChatClient,
  runCouncil,
  type ChatFn,
  type ChatTimeouts,
  type ConversationTurn,
  type CouncilError,
  type CouncilEvent,
  type PreviousRunResults,
  type QuestionAttachment,
  type UpstreamTransport,
} from '@llm-council/council';
import { isConnectionError, type CouncilRun, type Database } from '@llm-council/db';
import type { Kysely } from 'kysely';
import type { ApiConfig, ProviderConfig } from '../config.js';
import type { Logger } from '../ports.js';
import { appendEvent, findLastSeq } from './council-events.repository.js';
import { claimAbandonedRuns, claimRunHost, findRun, heartbeatRuns, updateRun } from './council-runs.repository.js';
import { createEventRecorder } from './event-recorder.js';
import { meterCalls } from '../spend/call-meter.js';
import { nameProviderInErrors } from './provider-wording.js';
import type { RunEventHub } from './run-event-hub.js';
import type { ModelCatalogCache } from './model-catalog-cache.js';

export interface ExecutorDeps {
  db: Kysely<Database>;
  hub: RunEventHub;
  config: ApiConfig;
  logger: Logger;
  /** Identifies this process in `council_runs.host`. */
  hostId: string;
  /** How chat calls reach the provider. */
  upstream: UpstreamTransport;
  /** True when this process is the only one that can own runs (the embedded database). */
  isSoleHost: boolean;
  /** The gap between two deltas of one model, read at every delta (it widens under load). */
  deltaIntervalMs: () => number;
  upstreamTimeouts?: Partial<ChatTimeouts>;
  /** Which models take reasoning effort (the provider's catalogue, cached). */
  catalog: Pick<ModelCatalogCache, 'reasoningSupport'>;
}

export interface ExecuteRequest {
  run: CouncilRun;
  provider: ProviderConfig;
  apiKey: string;
  /** Caps `max_tokens` of every upstream call (runs on the operator's fallback key). */
  maxTokensPerCall?: number;
  question: string;
  history: ConversationTurn[];
  previous?: PreviousRunResults;
  /** Per model, from the provider's catalog: long histories are cut to fit. */
  contextLengths?: Record<string, number | null>;
  /** The question's files, and per model whether its catalogue entry lists image input. */
  attachments?: QuestionAttachment[];
  imageInput?: Record<string, boolean>;
}

/**
 * Executes council runs in the background of this process: a run outlives the request (and the
 * client connection) that started it, ends only by finishing, failing or `cancel`, and proves
 * it is alive with a heartbeat. Runs whose host died are swept to `interrupted`.
 */
export class RunExecutor {
  private readonly active = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private readonly timers: NodeJS.Timeout[] = [];
  private stopCancelListener: (() => void) | undefined;
  private isShuttingDown = false;

  constructor(private readonly deps: ExecutorDeps) {}

  /** Marks abandoned runs interrupted, then starts heartbeats and the periodic sweep. */
  async start(): Promise<void> {
    const { heartbeatSeconds, staleAfterSeconds } = this.deps.config.council;
    await this.sweep(this.deps.isSoleHost ? null : staleAfterSeconds);
    this.stopCancelListener = this.deps.hub.onCancelRequested((runId) => this.active.get(runId)?.controller.abort());
    this.timers.push(
      setInterval(() => void this.heartbeat(), heartbeatSeconds * 1000).unref(),
      setInterval(() => void this.sweep(staleAfterSeconds), staleAfterSeconds * 1000).unref(),
    );
  }

  execute(request: ExecuteRequest): void {
    const controller = new AbortController();
    const done = this.runToEnd(request, controller).finally(() => this.active.delete(request.run.id));
    this.active.set(request.run.id, { controller, done });
  }

  /** How many runs execute here now. */
  get activeRuns(): number {
    return this.active.size;
  }

  /** Cancels a run wherever it executes: here at once, on another host through the hub. */
  async cancel(runId: string): Promise<void> {
    const local = this.active.get(runId);
    if (local) local.controller.abort();
    else await this.deps.hub.requestCancel(runId);
  }

  /** The run's promise, for tests and graceful shutdown. */
  whenSettled(runId: string): Promise<void> {
    return this.active.get(runId)?.done ?? Promise.resolve();
  }

  /**
   * Cancels runs and waits (at most `timeoutMs`) until those executing here have recorded their
   * end; runs on other hosts are asked through the hub and not waited for.
   */
  async cancelAndSettle(runIds: readonly string[], timeoutMs: number): Promise<void> {
    await Promise.all(runIds.map((runId) => this.cancel(runId)));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([Promise.allSettled(runIds.map((runId) => this.whenSettled(runId))), timeout]);
    clearTimeout(timer);
  }

  /**
   * Graceful shutdown: runs still going are recorded as interrupted (a retry resumes them), not
   * cancelled — the user did not ask for that.
   */
  async shutdown(): Promise<void> {
    this.isShuttingDown = true;
    for (const timer of this.timers) clearInterval(timer);
    this.stopCancelListener?.();
    const running = [...this.active.entries()];
    for (const [, { controller }] of running) controller.abort();
    await Promise.allSettled(running.map(([, { done }]) => done));
  }

  private async runToEnd(request: ExecuteRequest, controller: AbortController): Promise<void> {
    const { db, hub, logger, config } = this.deps;
    const { run } = request;
    const { signal } = controller;
    let log: ReturnType<RunEventHub['hold']> | undefined;
    let recorder: ReturnType<typeof createEventRecorder> | undefined;
    try {
      // Deleted (with its conversation) between its start and now: nothing to run, nobody to tell.
      if (!(await claimRunHost(db, run.id, this.deps.hostId, new Date()))) {
        logger.info({ runId: run.id }, 'council run not started: it was deleted or has ended');
        return;
      }
      const lastSeq = await findLastSeq(db, run.id);
      log = hub.hold(run.id, { writerFloor: lastSeq });
      const record = createEventRecorder(
        hub,
        {
          runId: run.id,
          conversationId: run.conversationId,
          attempt: run.attempt,
          reusesEarlierWork: request.previous !== undefined,
          lastSeq,
          payer: {
            userId: run.userId,
            keySource: run.keySource,
            provider: run.provider,
            titleModel: run.titleModel,
          },
        },
        () => new Date(),
      );
      recorder = record;
      const client = createChatClient({
        baseUrl: request.provider.baseUrl,
        apiKey: request.apiKey,
        transport: this.deps.upstream,
        appUrl: config.appUrl,
        appTitle: config.appTitle,
        maxAnswerChars: config.council.maxAnswerChars,
        ...(this.deps.upstreamTimeouts ? { timeouts: this.deps.upstreamTimeouts } : {}),
      });
      const meter = meterCalls(
        { db, config, now: () => new Date() },
        capMaxTokens(
          await effortOnlyWhereTaken(client.chat, run, () =>
            this.deps.catalog.reasoningSupport(request.provider, [...run.models, run.chairmanModel]),
          ),
          request.maxTokensPerCall,
        ),
        {
          userId: run.userId,
          runId: run.id,
          keySource: run.keySource,
          maxOutputTokens: config.operator.serverKey.maxTokensPerCall,
        },
      );
      await runCouncil(
        {
          question: request.question,
          history: request.history,
          models: run.models,
          chairmanModel: run.chairmanModel,
          titleModel: run.titleModel,
          attempt: run.attempt,
          mode: run.mode,
          instructions: run.instructions,
          reasoningEffort: run.reasoningEffort,
          webSearch: run.webSearch,
          method: config.council.method,
          ...(request.contextLengths ? { contextLengths: request.contextLengths } : {}),
          ...(request.previous ? { previous: request.previous } : {}),
          ...(request.attachments?.length && {
            attachments: request.attachments,
            imageInput: request.imageInput ?? {},
          }),
        },
        {
          chat: meter.chat,
          // During shutdown the runner's own "cancelled" is not the truth: the host went away.
          // An event that cannot be stored ends the run (the runner rethrows): stop every model
          // call at once rather than let the others stream on into a log that takes nothing.
          emit: (event) =>
            record(
              this.isShuttingDown && event.type === 'run_cancelled'
                ? { type: 'run_interrupted' }
                : nameBudgetRefusal(nameProviderInErrors(event, request.provider.label), meter.refusal()),
            ).catch((error: unknown) => {
              controller.abort();
              throw error;
            }),
          signal,
          deltaIntervalMs: this.deps.deltaIntervalMs,
        },
      );
    } catch (error) {
      // Its conversation was deleted on another host while it ran here: stopped, nothing to record.
      if (await this.isDeleted(run.id)) {
        logger.info({ runId: run.id }, 'council run stopped: it was deleted');
        return;
      }
      logger.error({ err: error, runId: run.id }, 'council run crashed');
      // In order behind the run's queued events if its log still takes events; else appended directly.
      const isRecorded = await recorder?.({ type: 'run_interrupted' }).then(
        () => true,
        () => false,
      );
      if (!isRecorded)
        await this.interrupt(run.id).catch((inner: unknown) =>
          logger.error({ err: inner, runId: run.id }, 'could not mark run interrupted'),
        );
    } finally {
      if (log) hub.release(log, { isWriter: true });
    }
  }

  /**
   * Records the run as interrupted. While the database is unreachable it keeps trying (the run
   * is marked as soon as the database is back); a shutdown stops trying after one attempt and
   * leaves the run to the next start's sweep.
   */
  private async interrupt(runId: string): Promise<void> {
    let delayMs = 250;
    for (;;) {
      try {
        await updateRun(this.deps.db, runId, { status: 'interrupted', finishedAt: new Date() });
        await this.announceInterrupted(runId);
        return;
      } catch (error) {
        if (!isConnectionError(error) || this.isShuttingDown) throw error;
        this.deps.logger.warn(
          { err: error, runId, retryInMs: delayMs },
          'database unreachable; will mark the run interrupted',
        );
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        delayMs = Math.min(delayMs * 2, 5_000);
      }
    }
  }

  private async isDeleted(runId: string): Promise<boolean> {
    return findRun(this.deps.db, runId).then(
      (row) => row === undefined,
      () => false,
    );
  }

  /** Ends the run's event log with `run_interrupted`, so subscribers stop waiting. */
  private async announceInterrupted(runId: string): Promise<void> {
    const envelope = await appendEvent(this.deps.db, runId, { type: 'run_interrupted' });
    await this.deps.hub.publishStored(envelope);
  }

  private async heartbeat(): Promise<void> {
    try {
      await heartbeatRuns(this.deps.db, [...this.active.keys()], new Date());
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'run heartbeat failed');
    }
  }

  /** Interrupts live runs whose heartbeat is older than `staleAfterSeconds` (null: all of them). */
  private async sweep(staleAfterSeconds: number | null): Promise<void> {
    try {
      const now = new Date();
      const cutoff = staleAfterSeconds === null ? null : new Date(now.getTime() - staleAfterSeconds * 1000);
      const ids = await claimAbandonedRuns(this.deps.db, cutoff, now, [...this.active.keys()]);
      for (const runId of ids) await this.announceInterrupted(runId);
      if (ids.length > 0) this.deps.logger.warn({ runIds: ids }, 'abandoned council runs marked interrupted');
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'run sweep failed');
    }
  }
}

/** A run that failed after the budget refused one of its calls fails as BUDGET_EXCEEDED, saying so. */
function nameBudgetRefusal(event: CouncilEvent, refusal: CouncilError | undefined): CouncilEvent {
  if (event.type !== 'run_failed' || refusal === undefined || event.error.code === refusal.code) return event;
  return { ...event, error: { code: refusal.code, message: `${refusal.message} (${event.error.message})` } };
}

/** Every call asks for at most `cap` tokens (the smaller of the stage's own limit and the cap). */
/**
 * Reasoning effort goes only to models whose catalogue entry takes `reasoning` (issue 22 §1); the
 * run's effort stays as asked, and the other models are asked without it.
 */
async function effortOnlyWhereTaken(
  chat: ChatFn,
  run: CouncilRun,
  support: () => Promise<Record<string, boolean>>,
): Promise<ChatFn> {
  if (run.reasoningEffort === 'none') return chat;
  const takesEffort = await support();
  return (request) => {
    if (takesEffort[request.model] !== false || request.reasoningEffort === undefined) return chat(request);
    const { reasoningEffort: _notTaken, ...rest } = request;
    return chat(rest);
  };
}

function capMaxTokens(chat: ChatFn, cap: number | undefined): ChatFn {
  if (cap === undefined) return chat;
  return (request) => chat({ ...request, maxTokens: Math.min(request.maxTokens ?? cap, cap) });
}
