import { z } from 'zod';
import { COUNCIL_MAX_MODELS, TITLE_MAX_LENGTH } from '../constants.js';

/**
 * The project's export document, version 1 (documented in docs/export-format.md). It is what
 * `conversations.export({ format: 'json' })` and `account.exportAll()` write and what
 * `conversations.import` reads back, so this schema is both the writer's type and the reader's
 * check. It carries stored data as stored (answers, reviews, rankings, usage); it never carries
 * keys, password hashes, tokens or sessions.
 */
export const EXPORT_FORMAT = 'llm-council-export';
export const EXPORT_VERSION = 1;

// Model output can be long; the import size limit bounds the whole document anyway.
const longText = z
  .string()
  .max(2_000_000)
  .refine((v) => !v.includes('\u0000'), 'cannot contain NUL characters');
const shortText = z
  .string()
  .max(200)
  .refine((v) => !v.includes('\u0000'), 'cannot contain NUL characters');
const timestamp = z.iso.datetime({ offset: true });
const json = z.unknown();

const usageSchema = z
  .object({
    promptTokens: z.number().int().nonnegative(),
    completionTokens: z.number().int().nonnegative(),
    totalTokens: z.number().int().nonnegative(),
    cost: z.number().nonnegative().nullable(),
  })
  .nullable();

export const exportedResponseSchema = z.object({
  stage: z.enum(['stage1', 'stage2', 'stage3', 'title']),
  model: shortText,
  status: z.enum(['completed', 'failed']),
  content: longText.nullable(),
  /** Stage 2: the labels in ranked order, best first. */
  parsedRanking: z
    .array(shortText)
    .max(COUNCIL_MAX_MODELS * 2)
    .nullable(),
  reviewDetails: z.record(z.string(), json).nullable(),
  error: z.object({ code: shortText, message: longText }).nullable(),
  usage: usageSchema,
  durationMs: z.number().int().nonnegative().nullable(),
  attempt: z.number().int().positive(),
});

export const exportedRunSchema = z.object({
  id: z.uuid(),
  /** The question this run answers (a message id of the same conversation). */
  userMessageId: z.uuid(),
  status: z.enum(['queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted']),
  provider: shortText,
  models: z.array(shortText).min(1).max(COUNCIL_MAX_MODELS),
  chairmanModel: shortText,
  titleModel: shortText.nullable(),
  labelToModel: z.record(z.string(), shortText).nullable(),
  aggregate: z.array(json).nullable(),
  verdict: z.record(z.string(), json).nullable(),
  error: z.object({ code: shortText, message: longText, stage: shortText.optional() }).nullable(),
  attempt: z.number().int().positive(),
  createdAt: timestamp,
  startedAt: timestamp.nullable(),
  finishedAt: timestamp.nullable(),
  responses: z.array(exportedResponseSchema).max(100),
});

export const exportedConversationSchema = z.object({
  id: z.uuid(),
  title: z.string().trim().min(1).max(TITLE_MAX_LENGTH),
  councilModels: z.array(shortText).max(COUNCIL_MAX_MODELS).nullable(),
  chairmanModel: shortText.nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
  importedAt: timestamp.nullable(),
  messages: z
    .array(
      z.object({
        id: z.uuid(),
        role: z.enum(['user', 'assistant']),
        content: longText,
        createdAt: timestamp,
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
  account: z.object({ email: z.string().max(320), createdAt: timestamp }).optional(),
  conversations: z.array(exportedConversationSchema).max(100_000),
});

export type ExportedResponse = z.infer<typeof exportedResponseSchema>;
export type ExportedRun = z.infer<typeof exportedRunSchema>;
export type ExportedConversation = z.infer<typeof exportedConversationSchema>;
export type ExportDocument = z.infer<typeof exportDocumentSchema>;
