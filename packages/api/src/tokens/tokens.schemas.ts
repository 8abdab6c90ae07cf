import { z } from 'zod';
import { enteredPasswordSchema } from '../auth/auth.schemas.js';
import {
  ACCESS_TOKEN_DEFAULT_EXPIRY_DAYS,
  ACCESS_TOKEN_MAX_EXPIRY_DAYS,
  ACCESS_TOKEN_NAME_MAX_LENGTH,
  accessTokenScopes,
} from '../constants.js';
import { idSchema } from '../shared/schemas.js';
import { text } from '../shared/text.js';

export const createTokenInput = z.strictObject({
  name: text({
    max: ACCESS_TOKEN_NAME_MAX_LENGTH,
    min: 1,
    trim: true,
    label: 'Name',
    minMessage: 'Name the token (e.g. "laptop CLI")',
  }),
  /** At least one; duplicates are folded. */
  scopes: z
    .array(z.enum(accessTokenScopes))
    .min(1, 'Choose at least one scope')
    .max(accessTokenScopes.length * 2),
  /** Omitted: ACCESS_TOKEN_DEFAULT_EXPIRY_DAYS (90). `null`: never expires (until revoked), asked for explicitly. */
  expiresInDays: z
    .number()
    .int()
    .min(1)
    .max(ACCESS_TOKEN_MAX_EXPIRY_DAYS)
    .nullable()
    .default(ACCESS_TOKEN_DEFAULT_EXPIRY_DAYS),
  /**
   * The current password: a stolen (short-lived) session alone cannot mint a long-lived token.
   * Checked like `changePassword`'s, sharing its guess counters.
   */
  password: enteredPasswordSchema,
});

export const tokenIdInput = z.strictObject({ id: idSchema });
