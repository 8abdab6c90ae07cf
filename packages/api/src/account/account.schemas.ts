import { z } from 'zod';
import { PASSWORD_MAX_LENGTH } from '../auth/passwords.js';
import { idSchema } from '../conversations/conversations.schemas.js';
import { text } from '../shared/text.js';

export const revokeSessionInput = z.strictObject({ id: idSchema });

// Any length up to the cap, like sign-in: the password is checked, not judged.
export const deleteAccountInput = z.strictObject({
  password: text({
    min: 1,
    max: PASSWORD_MAX_LENGTH,
    label: 'Password',
    minMessage: 'Enter your password',
    maxMessage: 'Password is too long',
  }),
});
