import type { AnswerSource, CouncilError, CouncilMode, CouncilStage, ReasoningEffort, Usage } from './events.js';
import { runStage1, type Stage1Result } from './answer-stage.js';
import { isReadable } from './ask-reviewer.js';
import { defaultCouncilMethod, type CouncilMethod } from './council-method.js';
import { buildChairmanMessages, buildTitleMessages, type ConversationTurn } from './prompts.js';
import { runStage2, type PreviousReview, type Stage2Result } from './review-stage.js';
import { extractTitle } from './title.js';
import { councilErrorCodes, toCouncilError } from './upstream/upstream.errors.js';
import {
  RunCancelledError,
  createRunContext,
  emptyResponseError,
  type RunContext,
  type RunCouncilDeps,
} from './run-context.js';
import { buildVerdict } from './verdict.js';
import { fitToContext } from './history-budget.js';
import { attachmentBlocks, type QuestionAttachment } from './attachments.js';
import { createNonce } from './review-prompts.js';

export type { RunCouncilDeps } from './run-context.js';

/** Work finished by an earlier attempt of the same run, reused by `council.retry`. */
export interface PreviousRunResults {
  stage1?: Record<string, { content: string; usage: Usage | null; sources?: AnswerSource[] }>;
  reviews?: Record<string, PreviousReview>;
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
  /** Context window per model (from the provider's catalog), to cut long histories to fit. */
  contextLengths?: Record<string, number | null>;
  /** Deadlines, quorum and call settings; unset fields take `defaultCouncilMethod`'s. */
  method?: Partial<CouncilMethod>;
  /** How much council: `full` (default), `ranked` (no chairman) or `answers` (stage 1 only). */
  mode?: CouncilMode;
  /** The user's standing instructions: the system message of the answers and of the chairman. */
  instructions?: string | null;
  /** OpenRouter's `reasoning: { effort }` on every council call (not the title); `none` sends nothing. */
  reasoningEffort?: ReasoningEffort | null;
  /** Gives the stage-1 calls OpenRouter's web search tool. */
  webSearch?: boolean;
  /**
   * The question's files. Every answering model reads the text and PDF files; images go only to
   * models whose catalogue entry lists image input (`imageInput`), the others get a note. Reviewers
   * are told the files' names; the chairman reads the text files and is told the images' names.
   */
  attachments?: QuestionAttachment[];
  /** Per model: the provider's catalogue lists image input for it. */
  imageInput?: Record<string, boolean>;
}

/** The fewest stage-1 answers a mode can go on with: one answer is an answer, a review needs two. */
export function minimumAnswers(mode: CouncilMode): number {
  return mode === 'answers' ? 1 : 2;
}

export type RunStatus = 'completed' | 'failed' | 'cancelled';

/**
 * Runs one council attempt and reports every step through `deps.emit`, in order:
 * `run_started`, stage 1 (answers, streamed), stage 2 (anonymous reviews and the aggregate),
 * stage 3 (the chairman, streamed), and exactly one terminal event. Mode `ranked` stops after
 * stage 2 and `answers` after stage 1: the stages a mode leaves out make no upstream call. The title, when asked for,
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
  const method: CouncilMethod = { ...defaultCouncilMethod, ...input.method };
  const random = deps.random ?? Math.random;
  const mode = input.mode ?? 'full';
  let stage: CouncilStage = 'stage1';
  try {
    await run.sink.send({
      type: 'run_started',
      models: input.models,
      chairmanModel: input.chairmanModel,
      attempt: input.attempt,
      mode,
    });
    const title = input.titleModel ? generateTitle(run, input.titleModel, input.question) : Promise.resolve();
    // Marks the rejection handled if we bail out before awaiting it; the awaits below still see it.
    title.catch(() => undefined);

    // Drawn only for a question with files, so runs without keep their seeded draws.
    const attachmentNonce = input.attachments?.length ? createNonce(random) : '';
    const stage1 = await runStage1(run, { ...input, attachmentNonce }, method);
    if (stage1.answers.length < minimumAnswers(mode)) {
      await run.whileRunning(title);
      await run.sink.send({ type: 'run_failed', stage: 'stage1', error: tooFewAnswersError(stage1, input, mode) });
      return { status: 'failed' };
    }
    if (mode === 'answers') {
      // The first answer in council order stands for the run in the conversation's history.
      return await completeWithoutChairman(run, title, stage1.answers[0]?.model);
    }

    stage = 'stage2';
    throwIfCancelled(run);
    const stage2 = await runStage2(run, input, stage1, method, random);
    const readable = stage2.reviews.filter((r) => isReadable(r.rankingStatus));
    if (readable.length < 2) {
      await run.whileRunning(title);
      await run.sink.send({ type: 'run_failed', stage: 'stage2', error: tooFewReviewsError(stage2, readable.length) });
      return { status: 'failed' };
    }
    const verdict = buildVerdict(stage2.reviews, stage2.labelToModel, method);
    await run.sink.send(verdict.event);
    await run.sink.send({ type: 'stage_completed', stage: 'stage2' });
    if (mode === 'ranked') return await completeWithoutChairman(run, title, verdict.aggregate[0]?.model);

    stage = 'stage3';
    throwIfCancelled(run);
    await run.sink.send({ type: 'stage_started', stage: 'stage3' });
    const labelOf = new Map(Object.entries(stage2.labelToModel).map(([label, model]) => [model, label]));
    const synthesise = (model: string) =>
      run.whileRunning(
        run.callModel({
          model,
          messages: fitToContext(
            input.history,
            input.contextLengths?.[model],
            method.maxTokens.stage3,
            (history, omittedTurns) =>
              buildChairmanMessages({
                ...input,
                history,
                omittedTurns,
                answers: stage1.answers
                  .map((a) => ({ ...a, label: labelOf.get(a.model) ?? a.model }))
                  .sort((a, b) => a.label.length - b.label.length || a.label.localeCompare(b.label)),
                reviews: readable,
                aggregate: verdict.aggregate,
                hideModelNames: method.hideModelNamesFromChairman,
                instructions: input.instructions,
                ...(input.attachments?.length && {
                  attachmentText: attachmentBlocks(input.attachments, { seesImages: 'named', nonce: attachmentNonce }),
                }),
                notes: {
                  failed: [...stage1.failures, ...stage2.failures].map((f) => f.model),
                  late: [...stage1.late, ...stage2.late],
                  unreadable: stage2.reviews.filter((r) => !isReadable(r.rankingStatus)).map((r) => r.reviewer),
                  agreement: verdict.agreement,
                  verdict: verdict.verdict,
                },
              }),
          ),
          streamAs: 'stage3',
          maxTokens: method.maxTokens.stage3,
          reasoningEffort: input.reasoningEffort ?? null,
        }),
      );
    let synthesisModel = input.chairmanModel;
    let synthesis = await synthesise(synthesisModel);
    if (!synthesis.ok) {
      await run.sink.send({
        type: 'model_failed',
        stage: 'stage3',
        model: input.chairmanModel,
        error: synthesis.error,
      });
      // The chairman failed after its own retries: the best-placed council member that answered
      // writes the synthesis instead, and the record says so. A stopped run asks nobody.
      const standIn = chooseStandIn(verdict.aggregate, stage1.answers, input.chairmanModel);
      if (standIn !== undefined && !run.signal.aborted) {
        synthesisModel = standIn;
        const second = await synthesise(standIn);
        if (second.ok) synthesis = second;
        else await run.sink.send({ type: 'model_failed', stage: 'stage3', model: standIn, error: second.error });
      }
    }
    if (synthesis.ok) {
      const { content, usage, durationMs } = synthesis;
      await run.sink.send({
        type: 'model_completed',
        stage: 'stage3',
        model: synthesisModel,
        content,
        usage,
        durationMs,
      });
      await run.sink.send({ type: 'stage_completed', stage: 'stage3' });
    }
    await run.whileRunning(title);
    if (!synthesis.ok) {
      await run.sink.send({ type: 'run_failed', stage: 'stage3', error: synthesis.error });
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

/**
 * Who writes the synthesis when the chairman cannot: the best-placed council member (peer
 * ranking) that answered in this run, never the chairman itself; with no ranking, the first
 * answer in council order.
 */
function chooseStandIn(
  aggregate: readonly { model: string }[],
  answers: readonly { model: string }[],
  chairmanModel: string,
): string | undefined {
  const answered = new Set(answers.map((a) => a.model));
  answered.delete(chairmanModel);
  return (
    aggregate.find((entry) => answered.has(entry.model))?.model ?? answers.find((a) => answered.has(a.model))?.model
  );
}

/** Ends a run whose mode has no chairman: the title lands first, then `run_completed`. */
async function completeWithoutChairman(
  run: RunContext,
  title: Promise<void>,
  answerModel: string | undefined,
): Promise<{ status: RunStatus }> {
  await run.whileRunning(title);
  await run.sink.send({ type: 'run_completed', ...(answerModel !== undefined && { answerModel }) });
  return { status: 'completed' };
}

async function generateTitle(run: RunContext, model: string, question: string): Promise<void> {
  const outcome = await run.callModel({ model, messages: buildTitleMessages({ question }) });
  const title = outcome.ok ? extractTitle(outcome.content) : null;
  if (title !== null) {
    await run.sink.send({ type: 'title_completed', title, usage: outcome.ok ? outcome.usage : null });
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

/**
 * Names every failed model's reason. When all failures share one cause (a rejected key, no
 * credit) that code is kept, so the UI can say "your OpenRouter key was rejected" for the run.
 */
function tooFewAnswersError(stage1: Stage1Result, input: RunCouncilInput, mode: CouncilMode): CouncilError {
  const codes = new Set(stage1.failures.map((f) => f.error.code));
  const [onlyCode] = codes;
  // A late model is not a failure with a code of its own; with any late model the generic code stands.
  const isOneCause = codes.size === 1 && onlyCode !== undefined && stage1.late.length === 0;
  const reasons = stage1.failures.map((f) => `${f.model}: ${f.error.message}`);
  if (stage1.late.length > 0) reasons.push(`Late: ${stage1.late.join(', ')}.`);
  const needed = minimumAnswers(mode);
  return {
    code: isOneCause ? onlyCode : councilErrorCodes.tooFewAnswers,
    message:
      `Only ${stage1.answers.length} of ${input.models.length} council models answered in time; at least ${needed} ${needed === 1 ? 'is' : 'are'} needed. ${reasons.join(' ')}`.trim(),
  };
}

/** Fewer than two readable rankings cannot be aggregated into a verdict worth showing. */
function tooFewReviewsError(stage2: Stage2Result, readable: number): CouncilError {
  const late = stage2.late.length > 0 ? ` Late: ${stage2.late.join(', ')}.` : '';
  const failed = stage2.failures.map((f) => ` ${f.model}: ${f.error.message}`).join('');
  return {
    code: councilErrorCodes.tooFewReviews,
    message: `Only ${readable} review${readable === 1 ? '' : 's'} had a readable ranking; at least 2 are needed.${late}${failed}`,
  };
}
