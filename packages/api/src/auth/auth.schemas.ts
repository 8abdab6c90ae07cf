import { z } from 'zod';
import { text } from '../shared/text.js';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './passwords.js';

export const emailSchema = text({ max: 254, trim: true, label: 'Email', maxMessage: 'Email is too long' })
  .toLowerCase()
  .pipe(z.email('Enter a valid email address'));

// Checked before any hashing, so a huge password costs nothing. Never trimmed: spaces count.
export const passwordSchema = text({ min: PASSWORD_MIN_LENGTH, max: PASSWORD_MAX_LENGTH, label: 'Password' });

/**
 * How the refresh token travels. `cookie` (browsers): an HttpOnly cookie, never in the body.
 * `body` (Node programs, the SDK's default there): in the response body, never in a cookie.
 */
export const transportSchema = z.enum(['cookie', 'body']).default('cookie');

export const credentialsInput = z.strictObject({
  email: emailSchema,
  password: passwordSchema,
  transport: transportSchema,
  /** Needed when the server's REGISTRATION is `invite`. */
  inviteCode: text({ min: 1, max: 100, trim: true, label: 'Invite code' }).optional(),
});

/**
 * A password that is checked, not judged (sign-in, account deletion): any length up to the cap —
 * old accounts must be able to sign in, and a too-short password is simply wrong.
 */
export const enteredPasswordSchema = text({
  min: 1,
  max: PASSWORD_MAX_LENGTH,
  label: 'Password',
  minMessage: 'Enter your password',
  maxMessage: 'Password is too long',
});

export const loginInput = z.strictObject({
  email: emailSchema,
  password: enteredPasswordSchema,
  transport: transportSchema,
});

export const refreshInput = z
  .strictObject({
    transport: transportSchema,
    refreshToken: text({ min: 1, max: 512, label: 'Refresh token' }).optional(),
  })
  .default({ transport: 'cookie' });

/**
 * Personal access tokens are revoked with the sessions (password change, logout everywhere)
 * unless the user asks to keep them; the web offers that as an unchecked box.
 */
const keepAccessTokensSchema = z.boolean().default(false);

export const changePasswordInput = z.strictObject({
  currentPassword: text({ min: 1, max: PASSWORD_MAX_LENGTH, label: 'Current password' }),
  newPassword: passwordSchema,
  transport: transportSchema,
  keepAccessTokens: keepAccessTokensSchema,
});

export const logoutAllInput = z
  .strictObject({ keepAccessTokens: keepAccessTokensSchema })
  .default({ keepAccessTokens: false });

export type Transport = z.infer<typeof transportSchema>;
