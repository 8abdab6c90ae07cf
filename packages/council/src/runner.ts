import type { AggregateRanking, CouncilError, CouncilStage, Usage } from './events.js';
import {
  buildChairmanMessages,
  buildReviewMessages,
  buildStage1Messages,
  buildTitleMessages,
  type ConversationTurn,
  type LabelledAnswer,
} from './prompts.js';
import { aggregateRankings, labelFor, parseRanking } from './ranking.js';
import { extractTitle } from './title.js';
import { councilErrorCodes, toCouncilError } from './upstream/upstream.errors.js';
import {
  RunCancelledError,
  createRunContext,
  emptyResponseError,
  type RunContext,
  type RunCouncilDeps,
} from './run-context.js';

export type { RunCouncilDeps } from './run-context.js';

/** Work finished by an earlier attempt of the same run, reused by `council.retry`. */
export interface PreviousRunResults {
  stage1?: Record<string, { content: string; usage: Usage | null }>;
  reviews?: Record<string, { content: string; parsedRanking: string[]; usage: Usage | null }>;
  labelToModel?: Record<string, string>;
}

export interface RunCouncilInput {
  question: string;
  history: ConversationTurn[];
  models: string[];
  chairmanModel: string;
  /** A title is generated (in parallel with stage 1) only when a model is given. */
  titleModel?: string | null;
  previous?: PreviousRunResults;
  attempt: number;
}

export type RunStatus = 'completed' | 'failed' | 'cancelled';

interface Review {
  reviewer: string;
  content: string;
  parsedRanking: string[];
}

/**
 * Runs one council attempt and reports every step through `deps.emit`, in order:
 * `run_started`, stage 1 (answers, streamed), stage 2 (anonymous reviews and the aggregate),
 * stage 3 (the chairman, streamed), and exactly one terminal event. The title, when asked for,
 * runs alongside and always lands before the terminal event.
 *
 * Model failures are events, not exceptions. The promise rejects only when `emit` fails (the log
 * would have a hole) or on a bug; cancellation through `deps.signal` resolves with 'cancelled'.
 *
 * @example
 * const { status } = await runCouncil(
 *   { question, history: [], models, chairmanModel, titleModel, attempt: 1 },
 *   { chat: client.chat, emit: (event) => saveEvent(runId, event), signal: controller.signal },
 * );
 */
export async function runCouncil(input: RunCouncilInput, deps: RunCouncilDeps): Promise<{ status: RunStatus }> {
  const run = createRunContext(deps);
  let stage: CouncilStage = 'stage1';
  try {
    await run.sink.send({
      type: 'run_started',
      models: input.models,
      chairmanModel: input.chairmanModel,
      attempt: input.attempt,
    });
    const title = input.titleModel ? generateTitle(run, input.titleModel, input.question) : Promise.resolve();
    // Marks the rejection handled if we bail out before awaiting it; the awaits below still see it.
    title.catch(() => undefined);

    const stage1 = await runStage1(run, input);
    if (stage1.answers.length < 2) {
      await run.whileRunning(title);
      await run.sink.send({ type: 'run_failed', stage: 'stage1', error: tooFewAnswersError(stage1, input) });
      return { status: 'failed' };
    }

    stage = 'stage2';
    throwIfCancelled(run);
    const { reviews, aggregate } = await runStage2(run, input, stage1);

    stage = 'stage3';
    throwIfCancelled(run);
    await run.sink.send({ type: 'stage_started', stage: 'stage3' });
    const messages = buildChairmanMessages({ ...input, answers: stage1.answers, reviews, aggregate });
    const chairman = await run.whileRunning(
      run.callModel({ model: input.chairmanModel, messages, streamAs: 'stage3' }),
    );
    if (chairman.ok) {
      const { content, usage, durationMs } = chairman;
      await run.sink.send({
        type: 'model_completed',
        stage: 'stage3',
        model: input.chairmanModel,
        content,
        usage,
        durationMs,
      });
      await run.sink.send({ type: 'stage_completed', stage: 'stage3' });
    } else {
      await run.sink.send({ type: 'model_failed', stage: 'stage3', model: input.chairmanModel, error: chairman.error });
    }
    await run.whileRunning(title);
    if (!chairman.ok) {
      await run.sink.send({ type: 'run_failed', stage: 'stage3', error: chairman.error });
      return { status: 'failed' };
    }
    await run.sink.send({ type: 'run_completed' });
    return { status: 'completed' };
  } catch (err) {
    if (run.sink.failure) throw run.sink.failure.error;
    if (deps.signal.aborted) {
      await run.sink.send({ type: 'run_cancelled' });
      return { status: 'cancelled' };
    }
    // A bug of ours: close the log with a failure the user can retry, then surface the bug (if
    // this last emit fails too, the bug is still the more useful error to throw).
    await run.sink.send({ type: 'run_failed', stage, error: toCouncilError(err) }).catch(() => undefined);
    throw err;
  } finally {
    run.dispose();
  }
}

interface Stage1Result {
  answers: LabelledAnswer[];
  failures: { model: string; error: CouncilError }[];
  isFullyReused: boolean;
}

async function runStage1(run: RunContext, input: RunCouncilInput): Promise<Stage1Result> {
  await run.sink.send({ type: 'stage_started', stage: 'stage1' });
  const previous = input.previous?.stage1 ?? {};
  const reused = new Map<string, { content: string; usage: Usage | null }>();
  for (const model of input.models) {
    const answer = Object.hasOwn(previous, model) ? previous[model] : undefined;
    if (answer && answer.content.trim() !== '') reused.set(model, answer);
  }
  // Reused answers are replayed as events so each attempt's stream stands on its own;
  // durationMs 0 marks them (no upstream call was made).
  for (const [model, { content, usage }] of reused) {
    await run.sink.send({ type: 'model_completed', stage: 'stage1', model, content, usage, durationMs: 0 });
  }

  const messages = buildStage1Messages(input);
  const asked = input.models.filter((model) => !reused.has(model));
  const outcomes = await run.whileRunning(
    Promise.all(
      asked.map(async (model) => {
        const outcome = await run.callModel({ model, messages, streamAs: 'stage1' });
        if (outcome.ok) {
          const { content, usage, durationMs } = outcome;
          await run.sink.send({ type: 'model_completed', stage: 'stage1', model, content, usage, durationMs });
        } else {
          await run.sink.send({ type: 'model_failed', stage: 'stage1', model, error: outcome.error });
        }
        return [model, outcome] as const;
      }),
    ),
  );
  await run.sink.send({ type: 'stage_completed', stage: 'stage1' });

  const fresh = new Map(outcomes);
  const answers: LabelledAnswer[] = [];
  const failures: Stage1Result['failures'] = [];
  // Labels follow the configured model order, not finishing order, so they are reproducible.
  for (const model of input.models) {
    const outcome = fresh.get(model);
    const content = reused.get(model)?.content ?? (outcome?.ok ? outcome.content : undefined);
    if (content !== undefined) answers.push({ label: labelFor(answers.length), model, content });
    else if (outcome && !outcome.ok) failures.push({ model, error: outcome.error });
  }
  return { answers, failures, isFullyReused: asked.length === 0 };
}

async function runStage2(
  run: RunContext,
  input: RunCouncilInput,
  stage1: Stage1Result,
): Promise<{ reviews: Review[]; aggregate: AggregateRanking[] }> {
  const labelToModel = Object.fromEntries(stage1.answers.map((a) => [a.label, a.model]));
  const labels = Object.keys(labelToModel);
  await run.sink.send({ type: 'labels_assigned', labelToModel });
  await run.sink.send({ type: 'stage_started', stage: 'stage2' });

  // Earlier reviews are valid only if they judged exactly these answers under exactly these labels.
  const previous = input.previous;
  const canReuse =
    stage1.isFullyReused && previous?.labelToModel !== undefined && sameMapping(previous.labelToModel, labelToModel);
  const reviewers = stage1.answers.map((a) => a.model);
  const messages = buildReviewMessages({ ...input, answers: stage1.answers });

  const reviews = await run.whileRunning(
    Promise.all(
      reviewers.map(async (reviewer): Promise<Review | undefined> => {
        const old =
          canReuse && previous?.reviews && Object.hasOwn(previous.reviews, reviewer)
            ? previous.reviews[reviewer]
            : undefined;
        if (old) {
          const { content, parsedRanking, usage } = old;
          await run.sink.send({ type: 'review_completed', reviewer, content, parsedRanking, usage, durationMs: 0 });
          return { reviewer, content, parsedRanking };
        }
        const outcome = await run.callModel({ model: reviewer, messages });
        if (!outcome.ok) {
          await run.sink.send({ type: 'model_failed', stage: 'stage2', model: reviewer, error: outcome.error });
          return undefined;
        }
        const { content, usage, durationMs } = outcome;
        const parsedRanking = parseRanking(content, labels);
        await run.sink.send({ type: 'review_completed', reviewer, content, parsedRanking, usage, durationMs });
        return { reviewer, content, parsedRanking };
      }),
    ),
  );
  const completed = reviews.filter((r): r is Review => r !== undefined);
  const aggregate = aggregateRankings(completed, labelToModel);
  await run.sink.send({ type: 'aggregate_ranked', aggregate });
  await run.sink.send({ type: 'stage_completed', stage: 'stage2' });
  return { reviews: completed, aggregate };
}

async function generateTitle(run: RunContext, model: string, question: string): Promise<void> {
  const outcome = await run.callModel({ model, messages: buildTitleMessages({ question }) });
  const title = outcome.ok ? extractTitle(outcome.content) : null;
  if (title !== null) {
    await run.sink.send({ type: 'title_completed', title });
  } else {
    // No invented fallback: the caller decides what an untitled conversation shows.
    const error = outcome.ok ? emptyResponseError : outcome.error;
    await run.sink.send({ type: 'model_failed', stage: 'title', model, error });
  }
}

/** Stops between stages, so a cancel that lands between calls does not start the next stage. */
function throwIfCancelled(run: RunContext): void {
  if (run.signal.aborted) throw new RunCancelledError();
}

function sameMapping(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && a[key] === b[key]);
}

/**
 * Names every failed model's reason. When all failures share one cause (a rejected key, no
 * credit) that code is kept, so the UI can say "your OpenRouter key was rejected" for the run.
 */
function tooFewAnswersError(stage1: Stage1Result, input: RunCouncilInput): CouncilError {
  const codes = new Set(stage1.failures.map((f) => f.error.code));
  const [onlyCode] = codes;
  const reasons = stage1.failures.map((f) => `${f.model}: ${f.error.message}`).join(' ');
  return {
    code: codes.size === 1 && onlyCode !== undefined ? onlyCode : councilErrorCodes.tooFewAnswers,
    message:
      `Only ${stage1.answers.length} of ${input.models.length} council models answered; at least 2 are needed. ${reasons}`.trim(),
  };
}
