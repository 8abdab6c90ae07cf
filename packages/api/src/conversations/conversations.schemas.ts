import { z } from 'zod';
import { jsonDocument } from '../shared/bounded.js';
import { text } from '../shared/text.js';
import {
  CONVERSATION_HISTORY_MAX_TURNS,
  COUNCIL_MAX_MODELS,
  COUNCIL_MIN_MODELS,
  MESSAGE_MAX_LENGTH,
  TITLE_MAX_LENGTH,
  conversationSources,
} from '../constants.js';

/** Ids are UUIDs; anything else (or a 10 kB string) is a clear BAD_REQUEST, never a database error. */
export const idSchema = text({ max: 64, label: 'Id' }).pipe(z.uuid('Must be a valid id'));

export const titleSchema = text({ min: 1, max: TITLE_MAX_LENGTH, trim: true, label: 'Title' });

export const modelIdSchema = text({ min: 1, max: 200, trim: true, label: 'Model id' });

export const councilModelsSchema = z
  .array(modelIdSchema)
  .min(COUNCIL_MIN_MODELS, `A council needs at least ${COUNCIL_MIN_MODELS} models`)
  .max(COUNCIL_MAX_MODELS, `A council has at most ${COUNCIL_MAX_MODELS} models`);

/**
 * Earlier turns from another tool (an OpenAI-style chat), stored as questions and answers before
 * the first run: the council reads them as the conversation so far.
 */
export const historySchema = z
  .array(
    z.strictObject({
      question: text({ min: 1, max: MESSAGE_MAX_LENGTH, label: 'Question' }),
      answer: text({ min: 1, max: MESSAGE_MAX_LENGTH, label: 'Answer' }),
    }),
  )
  .max(CONVERSATION_HISTORY_MAX_TURNS, `At most ${CONVERSATION_HISTORY_MAX_TURNS} earlier turns`);

/** The client that starts a conversation (`mcp`, `openai`); by default `api` for an access token, `app` otherwise. */
export const conversationSourceSchema = z.enum(conversationSources);

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
