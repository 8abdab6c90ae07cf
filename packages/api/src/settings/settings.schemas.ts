import { z } from 'zod';
import { DEFAULT_PROVIDER_ID } from '../constants.js';

export const providerIdSchema = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, 'Provider ids are lower-case letters, digits, dots, dashes');

export const saveApiKeyInput = z.strictObject({
  provider: providerIdSchema.default(DEFAULT_PROVIDER_ID),
  apiKey: z
    .string()
    .trim()
    .min(8, 'That does not look like an API key (too short)')
    .max(512, 'That does not look like an API key (too long)')
    .regex(/^[\x21-\x7e]+$/, 'API keys contain no spaces or special characters'),
});

export const deleteApiKeyInput = z.strictObject({ provider: providerIdSchema });
