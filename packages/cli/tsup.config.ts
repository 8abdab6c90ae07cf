import { defineConfig } from 'tsup';

// One executable ESM file; the SDK and commander stay dependencies (resolved from node_modules).
export default defineConfig({
  entry: { main: 'src/main.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  clean: true,
  sourcemap: true,
  banner: { js: '#!/usr/bin/env node' },
});
