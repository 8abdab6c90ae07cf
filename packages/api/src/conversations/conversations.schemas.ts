import { z } from 'zod';
import { COUNCIL_MAX_MODELS, COUNCIL_MIN_MODELS, TITLE_MAX_LENGTH } from '../constants.js';

/** Ids are UUIDs; anything else (or a 10 kB string) is a clear BAD_REQUEST, never a database error. */
export const idSchema = z.string().max(64).pipe(z.uuid('Must be a valid id'));

/** PostgreSQL text cannot hold U+0000: refuse it here rather than fail in the database (a 500). */
export const hasNoNul = (value: string) => !value.includes('\u0000');

export const titleSchema = z
  .string()
  .trim()
  .min(1, 'Title cannot be empty')
  .max(TITLE_MAX_LENGTH, `Title must be at most ${TITLE_MAX_LENGTH} characters`)
  .refine(hasNoNul, 'Title cannot contain NUL characters');

export const modelIdSchema = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine(hasNoNul, 'Model ids cannot contain NUL characters');

export const councilModelsSchema = z
  .array(modelIdSchema)
  .min(COUNCIL_MIN_MODELS, `A council needs at least ${COUNCIL_MIN_MODELS} models`)
  .max(COUNCIL_MAX_MODELS, `A council has at most ${COUNCIL_MAX_MODELS} models`);

export const listConversationsInput = z
  .strictObject({
    limit: z.number().int().min(1).max(100).default(30),
    /** Opaque cursor from the previous page's `nextCursor`. */
    cursor: z.string().max(200).nullish(),
  })
  .default({ limit: 30 });

export const createConversationInput = z
  .strictObject({
    title: titleSchema.optional(),
    /** The council for this conversation; the server's defaults when omitted. */
    models: councilModelsSchema.optional(),
    chairmanModel: modelIdSchema.optional(),
  })
  .default({});

export const conversationIdInput = z.strictObject({ id: idSchema });

export const renameConversationInput = z.strictObject({ id: idSchema, title: titleSchema });

export const searchConversationsInput = z.strictObject({
  /** Web-search syntax: words, "quoted phrases", `or`, `-excluded`. */
  query: z
    .string()
    .trim()
    .min(1, 'Type something to search for')
    .max(200, 'A search is at most 200 characters')
    .refine(hasNoNul, 'A search cannot contain NUL characters'),
  /** Opaque cursor from the previous page's `nextCursor`. */
  cursor: z.string().max(100).nullish(),
  limit: z.number().int().min(1).max(50).default(20),
});

export const exportConversationInput = z.strictObject({ id: idSchema, format: z.enum(['markdown', 'json']) });

/** The parsed JSON document; its shape is checked by the import itself, which names what is wrong. */
export const importConversationsInput = z.strictObject({ data: z.unknown() });
