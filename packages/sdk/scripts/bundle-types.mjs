// After `tsup` (JS + the SDK's own .d.ts) and `tsc -p tsconfig.types.json` (declarations of the
// API's router and what it references, under dist/types), point every workspace import in the
// declarations at those files, so the published SDK is type-complete on its own.
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const typesRoot = join(dist, 'types');
const targets = {
  '@llm-council/api/error-codes': join(typesRoot, 'packages/api/src/error-codes.js'),
  '@llm-council/api/constants': join(typesRoot, 'packages/api/src/constants.js'),
  '@llm-council/api': join(typesRoot, 'packages/api/src/index.js'),
  '@llm-council/council': join(typesRoot, 'packages/council/src/index.js'),
  '@llm-council/db': join(typesRoot, 'db/src/index.js'),
};

function* declarationFiles(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* declarationFiles(path);
    else if (name.endsWith('.d.ts')) yield path;
  }
}

let rewritten = 0;
for (const file of declarationFiles(dist)) {
  const source = readFileSync(file, 'utf8');
  const link = (specifier) => {
    const target = targets[specifier];
    if (!target) throw new Error(`${file}: no bundled types for ${specifier}`);
    const path = relative(dirname(file), target);
    return path.startsWith('.') ? path : `./${path}`;
  };
  // Static imports/exports at the start of a line (not JSDoc examples), and inline import types.
  const next = source
    .replace(
      /^((?:import|export)[^'"\n]*?from )(['"])(@llm-council\/[a-z-/]+)\2/gm,
      (_m, lead, q, spec) => `${lead}${q}${link(spec)}${q}`,
    )
    .replace(/import\((['"])(@llm-council\/[a-z-/]+)\1\)/g, (_m, q, spec) => `import(${q}${link(spec)}${q})`);
  if (next !== source) {
    writeFileSync(file, next);
    rewritten += 1;
  }
}
console.log(`bundle-types: linked workspace types in ${rewritten} declaration files`);
