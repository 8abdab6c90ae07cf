import { authRouter } from './auth/auth.router.js';
import { councilRouter } from './council/council.router.js';
import { conversationsRouter } from './conversations/conversations.router.js';
import { settingsRouter } from './settings/settings.router.js';
import { tokensRouter } from './tokens/tokens.router.js';
import { router } from './trpc.js';

export const appRouter = router({
  auth: authRouter,
  settings: settingsRouter,
  conversations: conversationsRouter,
  council: councilRouter,
  tokens: tokensRouter,
});

export type AppRouter = typeof appRouter;
