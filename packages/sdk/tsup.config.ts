import { defineConfig } from 'tsup';

// ESM only; the declarations are built separately (scripts/emit-router-types.mjs,
// scripts/bundle-types.mjs). tRPC's client runtime is compiled in, so installing the SDK pulls
// neither tRPC nor, through tRPC's peer dependency, TypeScript; `@trpc/client` and `@trpc/server`
// are optional peers that only a program type-checking against the SDK needs. The API's
// dependency-free error codes and constants are bundled too.
export default defineConfig({
  entry: { index: 'src/index.ts', node: 'src/node.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'neutral',
  clean: true,
  sourcemap: true,
  noExternal: ['@llm-council/api', '@trpc/client', '@trpc/server'],
  esbuildOptions(options) {
    options.conditions = ['@llm-council/source'];
  },
});
