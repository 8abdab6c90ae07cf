import { z } from 'zod';
import { text } from './text.js';
import {
  CONVERSATION_HISTORY_MAX_TURNS,
  COUNCIL_MAX_MODELS,
  COUNCIL_MIN_MODELS,
  MESSAGE_MAX_LENGTH,
  TITLE_MAX_LENGTH,
  conversationSources,
} from '../constants.js';

// Schemas more than one feature validates with: ids, titles, model lists, earlier turns.

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
