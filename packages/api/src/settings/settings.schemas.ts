import { z } from 'zod';
import { DEFAULT_PROVIDER_ID } from '../constants.js';
import { text } from '../shared/text.js';

export const providerIdSchema = text({ min: 1, max: 64, trim: true, label: 'Provider id' }).regex(
  /^[a-z0-9][a-z0-9._-]*$/,
  'Provider ids are lower-case letters, digits, dots, dashes',
);

export const saveApiKeyInput = z.strictObject({
  provider: providerIdSchema.default(DEFAULT_PROVIDER_ID),
  apiKey: text({
    min: 8,
    max: 512,
    trim: true,
    label: 'API key',
    minMessage: 'That does not look like an API key (too short)',
    maxMessage: 'That does not look like an API key (too long)',
  }).regex(/^[\x21-\x7e]+$/, 'API keys contain no spaces or special characters'),
});

export const deleteApiKeyInput = z.strictObject({ provider: providerIdSchema });

/** A user's own daily caps for runs on their own key; null removes a cap. */
export const setDailyBudgetInput = z.strictObject({
  tokens: z.number().int().min(1).max(1_000_000_000).nullable(),
  usd: z.number().gt(0).max(1_000_000).nullable(),
});
