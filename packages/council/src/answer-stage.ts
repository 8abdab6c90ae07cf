import type { AnswerSource, CouncilError, ReasoningEffort, Usage } from './events.js';
import { stageDeadlines, type CouncilMethod } from './council-method.js';
import { buildStage1Messages, type ConversationTurn } from './prompts.js';
import { questionWithAttachments, type QuestionAttachment } from './attachments.js';
import type { ModelOutcome, RunContext } from './run-context.js';
import { fitToContext } from './history-budget.js';
import { gatherWithDeadlines } from './stage-gate.js';

export interface Stage1Input {
  question: string;
  history: ConversationTurn[];
  models: string[];
  contextLengths?: Record<string, number | null>;
  previous?: { stage1?: Record<string, ReusedAnswer> };
  /** The user's standing instructions: each model's system message. */
  instructions?: string | null;
  reasoningEffort?: ReasoningEffort | null;
  /** Gives every stage-1 call OpenRouter's web search tool. */
  webSearch?: boolean;
  /** The question's files: text blocks for every model, images only to those that see images. */
  attachments?: QuestionAttachment[];
  /** Per model: its catalogue entry lists image input. */
  imageInput?: Record<string, boolean>;
  /** The markers' nonce around the attachments' text (the run's, drawn once). */
  attachmentNonce?: string;
}

/** An answer an earlier attempt produced, replayed instead of asked again. */
interface ReusedAnswer {
  content: string;
  usage: Usage | null;
  sources?: AnswerSource[];
}

export interface Stage1Result {
  /** In configured order, each with the pages it cites (web search). */
  answers: { model: string; content: string; sources?: AnswerSource[] }[];
  failures: { model: string; error: CouncilError }[];
  late: string[];
  isFullyReused: boolean;
}

/**
 * Stage 1: every council model answers (streamed). Answers reused from an earlier attempt are
 * replayed first; the rest run under the stage deadlines, and a model cut off is reported late.
 */
export async function runStage1(run: RunContext, input: Stage1Input, method: CouncilMethod): Promise<Stage1Result> {
  await run.sink.send({ type: 'stage_started', stage: 'stage1' });
  const previous = input.previous?.stage1 ?? {};
  const reused = new Map<string, ReusedAnswer>();
  for (const model of input.models) {
    const answer = Object.hasOwn(previous, model) ? previous[model] : undefined;
    if (answer && answer.content.trim() !== '') reused.set(model, answer);
  }
  // Reused answers are replayed as events so each attempt's stream stands on its own;
  // durationMs 0 marks them (no upstream call was made).
  const answered = (model: string, answer: ReusedAnswer & { durationMs: number }) =>
    run.sink.send({
      type: 'model_completed',
      stage: 'stage1',
      model,
      content: answer.content,
      usage: answer.usage,
      durationMs: answer.durationMs,
      ...(answer.sources?.length && { sources: answer.sources }),
    });
  for (const [model, answer] of reused) await answered(model, { ...answer, durationMs: 0 });

  // Each model gets as much history as its own context window holds.
  const messagesFor = (model: string) => {
    const asked = questionWithAttachments(input.question, input.attachments, {
      seesImages: input.imageInput?.[model] === true,
      nonce: input.attachmentNonce ?? '',
    });
    return fitToContext(
      input.history,
      input.contextLengths?.[model],
      method.maxTokens.stage1,
      (history, omittedTurns) =>
        buildStage1Messages({ ...asked, history, omittedTurns, instructions: input.instructions }),
    );
  };
  const asked = input.models.filter((model) => !reused.has(model));
  const late: string[] = [];
  const outcomes = await run.whileRunning(
    gatherWithDeadlines<ModelOutcome>({
      ...stageDeadlines(method, input.models.length),
      models: asked,
      alreadyCounted: reused.size,
      now: run.now,
      start: (model, signal) =>
        run.callModel({
          model,
          messages: messagesFor(model),
          streamAs: 'stage1',
          signal,
          maxTokens: method.maxTokens.stage1,
          reasoningEffort: input.reasoningEffort ?? null,
          webSearch: input.webSearch === true,
        }),
      isCounted: (outcome) => outcome.ok,
      onResult: async (model, outcome) => {
        if (outcome.ok) {
          await answered(model, outcome);
        } else {
          await run.sink.send({ type: 'model_failed', stage: 'stage1', model, error: outcome.error });
        }
      },
      onLate: async (model, waitedMs) => {
        late.push(model);
        await run.sink.send({ type: 'model_late', stage: 'stage1', model, waitedMs });
      },
    }),
  );
  await run.sink.send({ type: 'stage_completed', stage: 'stage1' });

  const answers: Stage1Result['answers'] = [];
  const failures: Stage1Result['failures'] = [];
  for (const model of input.models) {
    const outcome = outcomes.get(model);
    const answer = reused.get(model) ?? (outcome?.ok ? outcome : undefined);
    if (answer !== undefined)
      answers.push({ model, content: answer.content, ...(answer.sources && { sources: answer.sources }) });
    else if (outcome && !outcome.ok) failures.push({ model, error: outcome.error });
  }
  return { answers, failures, late, isFullyReused: asked.length === 0 };
}
