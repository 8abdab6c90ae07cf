import { z } from 'zod';
import { councilModelsSchema, idSchema, modelIdSchema } from '../conversations/conversations.schemas.js';
import { MESSAGE_MAX_LENGTH } from '../constants.js';
import { providerIdSchema } from '../settings/settings.schemas.js';
import { text } from '../shared/text.js';

export const startRunInput = z.strictObject({
  /** Omitted: the question starts a new conversation, created together with the run. */
  conversationId: idSchema.optional(),
  content: text({
    max: MESSAGE_MAX_LENGTH,
    label: 'Message',
    maxMessage: `Message must be at most ${MESSAGE_MAX_LENGTH.toLocaleString('en')} characters`,
  }).refine((s) => s.trim().length > 0, 'Message cannot be empty'),
  /** Overrides the conversation's council for this question. */
  models: councilModelsSchema.optional(),
  chairmanModel: modelIdSchema.optional(),
  provider: providerIdSchema.optional(),
  /** Makes `start` idempotent: the same id returns the run it already started. */
  clientRequestId: text({ min: 1, max: 100, label: 'clientRequestId' }).optional(),
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
