// Bundles the SDK's declarations (build/types, from `tsc -p tsconfig.types.json`) and the published
// router (build/router.d.ts, from emit-router-types.mjs) into dist/index.d.ts and dist/node.d.ts
// with rollup-plugin-dts. Only `@trpc/client` and `@trpc/server` stay imported (the SDK's optional
// peers for type-checking). Fails when a declaration names anything else outside the SDK, or when
// the declarations exceed the budget; prints their size.
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rollup } from 'rollup';
import { dts } from 'rollup-plugin-dts';

// 40 KB until maths.render (its types and limits) took the declarations to 40.5 KB.
const BUDGET_BYTES = 42 * 1024;
const sdkRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const build = join(sdkRoot, 'build');
const dist = join(sdkRoot, 'dist');
const typesRoot = join(build, 'types');
const targets = {
  '@llm-council/api': join(build, 'router.d.ts'),
  '@llm-council/api/constants': join(typesRoot, 'packages/api/src/constants.d.ts'),
  '@llm-council/api/error-codes': join(typesRoot, 'packages/api/src/error-codes.d.ts'),
};
const allowedImports = new Set(['@trpc/client', '@trpc/server']);

const bundle = await rollup({
  input: {
    index: join(typesRoot, 'packages/sdk/src/index.d.ts'),
    node: join(typesRoot, 'packages/sdk/src/node.d.ts'),
  },
  plugins: [
    { name: 'workspace-types', resolveId: (source) => targets[source] ?? null },
    dts({ respectExternal: false }),
  ],
  external: (id) => allowedImports.has(id),
  onwarn(warning) {
    throw new Error(`bundle-types: ${warning.message}`);
  },
});
for (const file of readdirSync(dist)) if (file.endsWith('.d.ts')) rmSync(join(dist, file));
await bundle.write({ dir: dist, format: 'es', entryFileNames: '[name].d.ts', chunkFileNames: '[name]-[hash].d.ts' });
await bundle.close();

// tsc indents by four spaces; two read as well and leave room in the budget. `@example` blocks
// stay in the source and the README (packages/sdk/README.md), not in every installed copy.
for (const file of readdirSync(dist).filter((f) => f.endsWith('.d.ts'))) {
  const path = join(dist, file);
  writeFileSync(
    path,
    readFileSync(path, 'utf8')
      .replace(/^[ \t]*\* @example[\s\S]*?(?=^[ \t]*\*\/|^[ \t]*\* @)/gm, '')
      .replace(/^(?: {4})+/gm, (indent) => ' '.repeat(indent.length / 2)),
  );
}

let total = 0;
const sizes = [];
for (const file of readdirSync(dist).filter((f) => f.endsWith('.d.ts'))) {
  const text = readFileSync(join(dist, file), 'utf8');
  total += statSync(join(dist, file)).size;
  sizes.push(`${file} ${(Buffer.byteLength(text) / 1024).toFixed(1)} KB`);
  // Static imports and import() types: nothing but the SDK's own chunks and the tRPC peers.
  for (const [, specifier] of text.matchAll(/(?:^(?:import|export)\b[^'"\n]*?from |import\()['"]([^'"]+)['"]/gm)) {
    if (!specifier.startsWith('./') && !allowedImports.has(specifier)) {
      throw new Error(
        `bundle-types: ${file} imports ${specifier}; the published types may name only ${[...allowedImports].join(', ')}`,
      );
    }
  }
}
const summary = `published declarations: ${(total / 1024).toFixed(1)} KB (budget ${BUDGET_BYTES / 1024} KB): ${sizes.join(', ')}`;
if (total > BUDGET_BYTES) throw new Error(`bundle-types: ${summary}`);
console.log(`bundle-types: ${summary}`);
