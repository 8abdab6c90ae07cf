import { councilModeSchema, reasoningEffortSchema } from '@llm-council/council';
import { z } from 'zod';
import {
  COUNCIL_MAX_MODELS,
  INSTRUCTIONS_MAX_LENGTH,
  TITLE_MAX_LENGTH,
  attachmentKinds,
  attachmentLimits,
} from '../constants.js';
import {
  aggregateSchema,
  answerSourcesSchema,
  labelToModelSchema,
  parsedRankingSchema,
  reviewDetailsSchema,
  storedModelId,
  verdictSchema,
} from '../council/stored-shapes.js';
import { idSchema } from '../shared/schemas.js';
import { boundedInt, storedTimestamp } from '../shared/bounded.js';
import { text } from '../shared/text.js';

/**
 * The project's export document, version 1 (documented in docs/export-format.md). It is what
 * `conversations.export({ format: 'json' })` and `account.exportAll()` write and what
 * `conversations.import` reads back, so this schema is both the writer's type and the reader's
 * check. It carries stored data as stored (answers, reviews, rankings, usage); it never carries
 * keys, password hashes, tokens or sessions.
 */
export const EXPORT_FORMAT = 'llm-council-export';
export const EXPORT_VERSION = 1;

// Model output can be long; the import size limit bounds the whole document anyway. Every string
// goes through text() (bounded, NUL refused), every integer column through boundedInt (int4),
// every date through storedTimestamp, and the stored JSON through its real shape (stored-shapes).
const longText = (label: string) => text({ max: 2_000_000, label });
const shortText = (label: string) => text({ max: 200, label });
const timestamp = storedTimestamp('Date');
const attempt = boundedInt({ min: 1, max: 10_000, label: 'Attempt' });
const tokens = (label: string) => boundedInt({ min: 0, label });

const usageSchema = z
  .object({
    promptTokens: tokens('Prompt tokens'),
    completionTokens: tokens('Completion tokens'),
    totalTokens: tokens('Total tokens'),
    cost: z.number().min(0).max(1_000_000, 'Cost is at most 1,000,000').nullable(),
  })
  .nullable();

const errorSchema = z.object({ code: shortText('Error code'), message: text({ max: 10_000, label: 'Error message' }) });

export const exportedResponseSchema = z.object({
  stage: z.enum(['stage1', 'stage2', 'stage3', 'title']),
  model: storedModelId,
  status: z.enum(['completed', 'failed']),
  content: longText('Answer').nullable(),
  /** Stage 2: the labels in ranked order, best first. */
  parsedRanking: parsedRankingSchema.nullable(),
  reviewDetails: reviewDetailsSchema.nullable(),
  error: errorSchema.nullable(),
  usage: usageSchema,
  /** Stage 1 with web search: the pages the answer cites. Absent in older files. */
  sources: answerSourcesSchema.nullable().optional(),
  durationMs: boundedInt({ min: 0, label: 'Duration' }).nullable(),
  attempt,
});

export const exportedRunSchema = z.object({
  id: idSchema,
  /** The question this run answers (a message id of the same conversation). */
  userMessageId: idSchema,
  status: z.enum(['queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted']),
  provider: shortText('Provider'),
  models: z.array(storedModelId).min(1).max(COUNCIL_MAX_MODELS),
  chairmanModel: storedModelId,
  titleModel: storedModelId.nullable(),
  // Files written before modes lack the four below: those runs were full councils without instructions.
  mode: councilModeSchema.default('full'),
  instructions: text({ max: INSTRUCTIONS_MAX_LENGTH, label: 'Instructions' }).nullable().default(null),
  reasoningEffort: reasoningEffortSchema.default('none'),
  webSearch: z.boolean().default(false),
  labelToModel: labelToModelSchema.nullable(),
  aggregate: aggregateSchema.nullable(),
  verdict: verdictSchema.nullable(),
  error: errorSchema.extend({ stage: shortText('Stage').optional() }).nullable(),
  attempt,
  createdAt: timestamp,
  startedAt: timestamp.nullable(),
  finishedAt: timestamp.nullable(),
  responses: z.array(exportedResponseSchema).max(100),
});

/**
 * A question's file: its bytes as base64 and, for a PDF, the text read from it. On import the
 * bytes are checked as an upload is (kind and media type read from them, size per kind) and a text
 * file's text is read from them again.
 */
export const exportedAttachmentSchema = z.object({
  name: text({ min: 1, max: attachmentLimits.nameMaxLength, label: 'Attachment name' }),
  kind: z.enum(attachmentKinds),
  mediaType: shortText('Attachment media type'),
  data: text({ min: 1, max: Math.ceil((attachmentLimits.imageMaxBytes * 4) / 3) + 4, label: 'Attachment data' }).regex(
    /^[A-Za-z0-9+/]+={0,2}$/,
    'Attachment data must be base64',
  ),
  text: text({ max: attachmentLimits.textMaxBytes, label: 'Attachment text' }).nullable(),
});

export const exportedConversationSchema = z.object({
  id: idSchema,
  title: text({ min: 1, max: TITLE_MAX_LENGTH, trim: true, label: 'Title' }),
  councilModels: z.array(storedModelId).max(COUNCIL_MAX_MODELS).nullable(),
  chairmanModel: storedModelId.nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
  importedAt: timestamp.nullable(),
  /** The last question of the branch the owner looks at; absent or null: the newest question. */
  shownQuestionId: idSchema.nullable().optional(),
  messages: z
    .array(
      z.object({
        id: idSchema,
        role: z.enum(['user', 'assistant']),
        content: longText('Message'),
        createdAt: timestamp,
        /**
         * Branches. A question: the question it follows (null: the first of its branch). An answer:
         * the question it answers. Absent (files written before branches, an answer brought with
         * no run): the message before it, so such a conversation is one straight branch.
         */
        parentId: idSchema.nullable().optional(),
        /** A question's files, in order (issue 22). Absent in older files and on answers. */
        attachments: z.array(exportedAttachmentSchema).max(attachmentLimits.perQuestion).optional(),
      }),
    )
    .max(10_000),
  runs: z.array(exportedRunSchema).max(5_000),
});

export const exportDocumentSchema = z.object({
  format: z.literal(EXPORT_FORMAT),
  version: z.literal(EXPORT_VERSION),
  exportedAt: timestamp,
  /** Present in `account.exportAll()` only. */
  account: z.object({ email: text({ max: 320, label: 'Email' }), createdAt: timestamp }).optional(),
  conversations: z.array(exportedConversationSchema).max(100_000),
});

export type ExportedResponse = z.infer<typeof exportedResponseSchema>;
export type ExportedAttachment = z.infer<typeof exportedAttachmentSchema>;
export type ExportedRun = z.infer<typeof exportedRunSchema>;
export type ExportedConversation = z.infer<typeof exportedConversationSchema>;
export type ExportDocument = z.infer<typeof exportDocumentSchema>;
