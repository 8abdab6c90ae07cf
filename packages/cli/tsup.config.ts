import { defineConfig } from 'tsup';

// One executable ESM file. The SDK is compiled in from source together with what it needs at run
// time (@trpc/client, eventsource), so the command works without a built SDK and installs with
// `npm install -g ./packages/cli`; commander, the CLI's own dependency, stays in node_modules.
export default defineConfig({
  entry: { main: 'src/main.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  clean: true,
  sourcemap: true,
  noExternal: [/^@llm-council\//],
  esbuildOptions(options) {
    options.conditions = ['@llm-council/source'];
  },
  banner: { js: '#!/usr/bin/env node' },
});
