import { defineConfig } from 'tsup';

// One ESM bundle per entry. Workspace packages are compiled in; npm dependencies (argon2's native
// addon, PGlite's WASM) stay in node_modules where they load from.
export default defineConfig({
  entry: {
    main: 'src/main.ts',
    'migrate-cli': 'src/migrate-cli.ts',
    'fake-upstream': '../../packages/council/src/fake-upstream/cli.ts',
  },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  clean: true,
  sourcemap: true,
  noExternal: [/^@llm-council\//],
  esbuildOptions(options) {
    options.conditions = ['@llm-council/source'];
  },
});
