import { z } from 'zod';
import { idSchema } from '../conversations/conversations.schemas.js';

export const revokeSessionInput = z.strictObject({ id: idSchema });
