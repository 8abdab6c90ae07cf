import { bootServer } from './boot.js';

// The composition root: `pnpm start` runs this file (bundled to dist/main.js).
bootServer(process.env).catch((error: unknown) => {
  console.error('LLM Council failed to start:', error instanceof Error ? error.message : error);
  if (error instanceof Error && error.cause) console.error('  cause:', error.cause);
  process.exit(1);
});
