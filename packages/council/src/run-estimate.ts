import { defaultCouncilMethod, type CouncilMethod } from './council-method.js';
import { estimatePromptTokens, fitToContext } from './history-budget.js';
import { buildChairmanMessages, buildStage1Messages, buildTitleMessages } from './prompts.js';
import { buildReviewMessages } from './review-prompts.js';
import type { RunCouncilInput } from './runner.js';
import { labelFor } from './ranking/presentation.js';
import { attachmentBlocks, questionWithAttachments } from './attachments.js';

/**
 * What a run will read and write, estimated before it starts, so a budget can refuse it up front.
 * Every call the run will make is built the way the runner builds it — the history cut to each
 * model's context window, the reviewers' last three turns — and counted with the same estimate
 * the context budget uses (3 characters a token, on the safe side), plus the most it may answer.
 * Answers not written yet are counted at that most, wherever a later prompt quotes them.
 * A mode without reviews or without a chairman counts only the calls it makes.
 * Not counted: the one repair ask a review gets when its ranking cannot be read (it is checked
 * when it is about to start, like every call).
 */
export function estimateRunTokens(input: RunCouncilInput, maxOutputTokens: number): number {
  const method: CouncilMethod = { ...defaultCouncilMethod, ...input.method };
  const out = (stage: 'stage1' | 'stage2' | 'stage3') =>
    Math.min(method.maxTokens[stage] ?? maxOutputTokens, maxOutputTokens);
  const placeholder = (tokens: number) => 'x'.repeat(tokens * 3);
  const previous = input.previous?.stage1 ?? {};
  const reused = input.models.filter((m) => Object.hasOwn(previous, m) && previous[m]?.content.trim() !== '');
  const answerOf = (model: string) =>
    reused.includes(model) ? (previous[model]?.content ?? '') : placeholder(out('stage1'));
  const answers = input.models.map((model, i) => ({ model, label: labelFor(i), content: answerOf(model) }));
  const context = (model: string) => input.contextLengths?.[model];
  const mode = input.mode ?? 'full';
  const instructions = input.instructions;
  const title = input.titleModel
    ? estimatePromptTokens(buildTitleMessages({ question: input.question })) + maxOutputTokens
    : 0;
  let total = title;

  // The files count where the runner sends them: every answer reads their text (and a model
  // that sees images, each image); the chairman reads their text. The nonce's length is the run's.
  const nonce = 'n0n0n0n0';
  for (const model of input.models.filter((m) => !reused.includes(m))) {
    const asked = questionWithAttachments(input.question, input.attachments, {
      seesImages: input.imageInput?.[model] === true,
      nonce,
    });
    const messages = fitToContext(input.history, context(model), method.maxTokens.stage1, (history, omittedTurns) =>
      buildStage1Messages({ ...asked, history, omittedTurns, instructions }),
    );
    total += estimatePromptTokens(messages) + out('stage1');
  }
  if (mode === 'answers') return total;
  // Reviews are kept by a retry only when every answer was; counted in full otherwise.
  const keptReviews = reused.length === input.models.length ? Object.keys(input.previous?.reviews ?? {}) : [];
  const recent = input.history.slice(-3);
  for (const reviewer of input.models.filter((m) => !keptReviews.includes(m))) {
    const messages = fitToContext(recent, context(reviewer), method.maxTokens.stage2, (history, omitted) =>
      buildReviewMessages({
        question: input.question,
        history,
        omittedTurns: omitted + input.history.length - recent.length,
        answers,
        nonce,
        instructions,
        attachments: input.attachments,
      }),
    );
    total += estimatePromptTokens(messages) + out('stage2');
  }
  if (mode === 'ranked') return total;
  const chairman = fitToContext(
    input.history,
    context(input.chairmanModel),
    method.maxTokens.stage3,
    (history, omittedTurns) =>
      buildChairmanMessages({
        question: input.question,
        history,
        omittedTurns,
        answers,
        reviews: input.models.map((reviewer) => ({ reviewer, content: placeholder(out('stage2')) })),
        hideModelNames: method.hideModelNamesFromChairman,
        instructions,
        ...(input.attachments?.length && {
          attachmentText: attachmentBlocks(input.attachments, { seesImages: 'named', nonce }),
        }),
      }),
  );
  return total + estimatePromptTokens(chairman) + out('stage3');
}
