import { z } from 'zod';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './passwords.js';

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, 'Email is too long')
  .pipe(z.email('Enter a valid email address'));

// Checked before any hashing, so a huge password costs nothing. Never trimmed: spaces count.
export const passwordSchema = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `Password must be at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH, `Password must be at most ${PASSWORD_MAX_LENGTH} characters`);

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
  inviteCode: z.string().trim().min(1).max(100).optional(),
});

// Login accepts any password length up to the cap: old accounts must be able to sign in, and
// a too-short password is simply wrong.
export const loginInput = z.strictObject({
  email: emailSchema,
  password: z.string().min(1, 'Enter your password').max(PASSWORD_MAX_LENGTH, 'Password is too long'),
  transport: transportSchema,
});

export const refreshInput = z
  .strictObject({
    transport: transportSchema,
    refreshToken: z.string().min(1).max(512).optional(),
  })
  .default({ transport: 'cookie' });

export const changePasswordInput = z.strictObject({
  currentPassword: z.string().min(1).max(PASSWORD_MAX_LENGTH),
  newPassword: passwordSchema,
  transport: transportSchema,
});

export type Transport = z.infer<typeof transportSchema>;
