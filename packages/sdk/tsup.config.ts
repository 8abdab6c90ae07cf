import { defineConfig } from 'tsup';

// ESM + declarations. The API's router type is inlined into the .d.ts so programs outside this
// workspace get full types without installing the server's packages.
export default defineConfig({
  entry: { index: 'src/index.ts', node: 'src/node.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'neutral',
  dts: {
    resolve: [
      '@llm-council/api',
      '@llm-council/api/error-codes',
      '@llm-council/api/constants',
      '@llm-council/council',
      '@llm-council/db',
    ],
  },
  clean: true,
  sourcemap: true,
  // Only the dependency-free error codes and constants are bundled from the API; everything else is external.
  noExternal: ['@llm-council/api'],
  esbuildOptions(options) {
    options.conditions = ['@llm-council/source'];
  },
});
