import { z } from 'zod';
import { jsonDocument } from '../shared/bounded.js';
import { text } from '../shared/text.js';
import { councilModelsSchema, idSchema, modelIdSchema, titleSchema } from '../shared/schemas.js';

export const listConversationsInput = z
  .strictObject({
    limit: z.number().int().min(1).max(100).default(30),
    /** Opaque cursor from the previous page's `nextCursor`. */
    cursor: text({ max: 200, label: 'Cursor' }).nullish(),
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

/** A version of a question (a user message's id) to show, with the branch below it. */
export const showVersionInput = z.strictObject({ messageId: idSchema });

export const renameConversationInput = z.strictObject({ id: idSchema, title: titleSchema });

export const searchConversationsInput = z.strictObject({
  /** Web-search syntax: words, "quoted phrases", `or`, `-excluded`. */
  query: text({ min: 1, max: 200, trim: true, label: 'Search', minMessage: 'Type something to search for' }),
  /** Opaque cursor from the previous page's `nextCursor`. */
  cursor: text({ max: 100, label: 'Cursor' }).nullish(),
  limit: z.number().int().min(1).max(50).default(20),
});

export const exportConversationInput = z.strictObject({ id: idSchema, format: z.enum(['markdown', 'json']) });

/**
 * The parsed JSON document; its shape is checked by the import itself, which names what is wrong.
 * Its depth is bounded here, before anything walks it recursively (a 10,000-level array would
 * overflow JSON.stringify's stack: a 500). The export format nests 9 levels.
 */
export const importConversationsInput = z.strictObject({
  data: jsonDocument({ maxDepth: 16, label: 'The document' }),
});
