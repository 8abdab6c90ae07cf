import { z } from 'zod';
import { enteredPasswordSchema } from '../auth/auth.schemas.js';
import { idSchema } from '../shared/schemas.js';

export const revokeSessionInput = z.strictObject({ id: idSchema });

export const deleteAccountInput = z.strictObject({ password: enteredPasswordSchema });

/** No cursor: the first part of the export file; then each part's `nextCursor` until it is null. */
export const exportAllInput = z.strictObject({ cursor: idSchema.nullish() }).optional();
