import { councilModeSchema } from '@llm-council/council';
import { z } from 'zod';
import { conversationSourceSchema, historySchema, idSchema, modelIdSchema, titleSchema } from '../shared/schemas.js';
import { COUNCIL_MAX_MODELS, INSTRUCTIONS_MAX_LENGTH, MESSAGE_MAX_LENGTH, attachmentLimits } from '../constants.js';
import { councilIdSchema } from '../councils/councils.schemas.js';
import { providerIdSchema } from '../settings/settings.schemas.js';
import { text } from '../shared/text.js';

/** A question's text: bounded, never empty. */
const questionSchema = text({
  max: MESSAGE_MAX_LENGTH,
  label: 'Message',
  maxMessage: `Message must be at most ${MESSAGE_MAX_LENGTH.toLocaleString('en')} characters`,
}).refine((s) => s.trim().length > 0, 'Message cannot be empty');

/** Makes a start idempotent: the same id returns the run it already started. */
const clientRequestIdSchema = text({ min: 1, max: 100, label: 'clientRequestId' });

export const startRunInput = z
  .strictObject({
    /** The conversation to ask in; or `newConversation` to start one with this run. */
    conversationId: idSchema.optional(),
    /**
     * Starts a new conversation with the run, in one step: a start that is refused (no key, a
     * limit, a budget) leaves no empty conversation behind. For tools that ask one-off questions.
     */
    newConversation: z
      .strictObject({
        source: conversationSourceSchema.optional(),
        history: historySchema.optional(),
        /** A title of the caller's choosing; otherwise the title model names it. */
        title: titleSchema.optional(),
      })
      .optional(),
    content: questionSchema,
    /**
     * Overrides the conversation's council for this question. One model is enough in mode
     * `answers`; the other modes need two (checked with the mode).
     */
    models: z
      .array(modelIdSchema)
      .min(1, 'A council needs at least 1 model')
      .max(COUNCIL_MAX_MODELS, `A council has at most ${COUNCIL_MAX_MODELS} models`)
      .optional(),
    chairmanModel: modelIdSchema.optional(),
    /** `full` (default): answers, peer review, synthesis; `ranked`: no chairman; `answers`: stage 1 only. */
    mode: councilModeSchema.optional(),
    /** A saved council (`councils.list`): its models, chairman, mode, instructions, effort and search. */
    councilId: councilIdSchema.optional(),
    /** OpenRouter's web search tool for the answers; default: the saved council's, else off. */
    webSearch: z.boolean().optional(),
    /**
     * Standing instructions for this question: the system message of the answers and the chairman
     * (empty: none). Default: the saved council's, else those of the question it follows.
     */
    instructions: text({
      max: INSTRUCTIONS_MAX_LENGTH,
      label: 'Instructions',
      maxMessage: `Instructions must be at most ${INSTRUCTIONS_MAX_LENGTH.toLocaleString('en')} characters`,
    }).optional(),
    /**
     * Uploads (`POST /api/attachments`) attached to this question, in order: the user's own, not
     * attached yet, at most 10 and 20 MB together.
     */
    attachmentIds: z
      .array(idSchema)
      .max(attachmentLimits.perQuestion, `A question carries at most ${attachmentLimits.perQuestion} attachments`)
      .refine((ids) => new Set(ids).size === ids.length, 'An attachment is named twice')
      .optional(),
    provider: providerIdSchema.optional(),
    /** Makes `start` idempotent: the same id returns the run it already started. */
    clientRequestId: clientRequestIdSchema.optional(),
  })
  .refine((input) => (input.conversationId === undefined) !== (input.newConversation === undefined), {
    message: 'Give either conversationId or newConversation',
    path: ['conversationId'],
  });

/** `council.edit`: a new version of a question (`messageId`), asked as a new branch from there. */
export const editQuestionInput = z.strictObject({
  messageId: idSchema,
  content: questionSchema,
  clientRequestId: clientRequestIdSchema.optional(),
});

/**
 * `council.regenerate`: a new version of a finished turn. Without `model`, a new synthesis over the
 * same answers and reviews; with `model`, that model's answer again, then reviews and synthesis.
 */
export const regenerateRunInput = z.strictObject({
  runId: idSchema,
  model: modelIdSchema.optional(),
  clientRequestId: clientRequestIdSchema.optional(),
});

export const runIdInput = z.strictObject({ runId: idSchema });

export const runEventsInput = z.strictObject({
  runId: idSchema,
  /** The last event id the client saw; replay resumes after it. */
  lastEventId: text({ max: 9, label: 'lastEventId' })
    .regex(/^\d{1,9}$/, 'lastEventId is an event number')
    .nullish(),
});

export const modelsInput = z.strictObject({ provider: providerIdSchema.optional() }).default({});
