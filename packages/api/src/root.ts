import { accountRouter } from './account/account.router.js';
import { authRouter } from './auth/auth.router.js';
import { councilRouter } from './council/council.router.js';
import { councilsRouter } from './councils/councils.router.js';
import { conversationsRouter } from './conversations/conversations.router.js';
import { settingsRouter } from './settings/settings.router.js';
import { tokensRouter } from './tokens/tokens.router.js';
import { mathsRouter } from './maths/maths.router.js';
import { router } from './trpc.js';
import { usageRouter } from './usage/usage.router.js';

export const appRouter = router({
  auth: authRouter,
  settings: settingsRouter,
  conversations: conversationsRouter,
  council: councilRouter,
  councils: councilsRouter,
  account: accountRouter,
  usage: usageRouter,
  tokens: tokensRouter,
  maths: mathsRouter,
});

export type AppRouter = typeof appRouter;
