// Prints how much JavaScript the first page load downloads (gzipped) and fails the build when it
// exceeds the budget. "Initial" means the entry chunk plus everything it imports statically —
// exactly what the browser fetches before the app can paint; lazy routes and the markdown chunk
// are listed separately because they load on demand. It also prints what a conversation showing
// code and maths fetches in all: initial + the chat page + the markdown renderer + highlight.js
// (core and one grammar), part by part, and the stylesheets those chunks bring. Maths costs no
// chunk: the server typesets it (maths.render) and the markdown chunk inserts the MathML; the build
// fails if a TeX converter (KaTeX, Temml) is bundled into the web client again.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const BUDGET_BYTES = 45 * 1024;
const CONVERSATION_BUDGET_BYTES = 110 * 1024;
const distDir = join(import.meta.dirname, '..', 'dist');
const manifest = JSON.parse(readFileSync(join(distDir, '.vite', 'manifest.json'), 'utf8'));

const gzippedSize = (file) => gzipSync(readFileSync(join(distDir, file)), { level: 9 }).length;
// What a browser that accepts Brotli downloads (the server sends the build's .br copies).
const brotliSize = (file) =>
  brotliCompressSync(readFileSync(join(distDir, file)), { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

const entries = Object.entries(manifest).filter(([, chunk]) => chunk.isEntry);
if (entries.length === 0) {
  console.error('report-size: no entry chunk in the manifest; did `vite build` run with `manifest: true`?');
  process.exit(1);
}

// Walk static imports only; dynamic imports are deferred by definition.
const initial = new Set();
const visitInto = (set) => {
  const visit = (key) => {
    const chunk = manifest[key];
    if (!chunk || set.has(chunk.file)) return;
    set.add(chunk.file);
    for (const imported of chunk.imports ?? []) visit(imported);
  };
  return visit;
};
for (const [key] of entries) visitInto(initial)(key);

// A conversation with a Python block and a formula: the chunks it loads, by their source paths.
const PARTS = [
  ['chat page', /src\/chat\/chat-page\.tsx$/],
  ['markdown (marked + DOMPurify + maths client)', /src\/markdown\/render-markdown\.ts$/],
  ['highlighter (core + Python)', /highlight\.js\/es\/core\.js$|languages\/python\.js$/],
];
const texConverters = Object.keys(manifest).filter((key) => /node_modules\/(?:\.pnpm\/)?(?:katex|temml)/.test(key));
const conversation = new Set();
for (const [key] of entries) visitInto(conversation)(key);
const partFigures = PARTS.map(([name, pattern]) => {
  const before = new Set(conversation);
  for (const key of Object.keys(manifest).filter((k) => pattern.test(k))) visitInto(conversation)(key);
  return { name, files: [...conversation].filter((file) => !before.has(file)) };
});
// Stylesheets of the chunks loaded (no font: maths is MathML laid out by the browser).
const stylesheets = [
  ...new Set(
    [...conversation].flatMap((file) =>
      Object.values(manifest)
        .filter((c) => c.file === file)
        .flatMap((c) => c.css ?? []),
    ),
  ),
];

const initialFiles = [...initial].filter((file) => file.endsWith('.js'));
const lazyFiles = [...new Set(Object.values(manifest).map((chunk) => chunk.file))].filter(
  (file) => file.endsWith('.js') && !initial.has(file),
);

const rows = (files) => files.map((file) => ({ file, size: gzippedSize(file) })).sort((a, b) => b.size - a.size);

const initialRows = rows(initialFiles);
const total = initialRows.reduce((sum, row) => sum + row.size, 0);

console.log('\nInitial JavaScript (gzipped):');
for (const row of initialRows) console.log(`  ${kb(row.size).padStart(9)}  ${row.file}`);
console.log('Loaded on demand (gzipped):');
for (const row of rows(lazyFiles)) console.log(`  ${kb(row.size).padStart(9)}  ${row.file}`);
const jsOnly = (files) => files.filter((file) => file.endsWith('.js'));
const brotliTotal = (files) => jsOnly(files).reduce((sum, file) => sum + brotliSize(file), 0);
console.log(
  `\nInitial JS total: ${kb(total)} gzipped (budget ${kb(BUDGET_BYTES)}); ${kb(brotliTotal(initialFiles))} as served with Brotli`,
);
const sizeOf = (files) =>
  files.filter((file) => file.endsWith('.js')).reduce((sum, file) => sum + gzippedSize(file), 0);
const conversationTotal = sizeOf([...conversation]);
const parts = [`initial ${kb(total)}`, ...partFigures.map(({ name, files }) => `${name} ${kb(sizeOf(files))}`)].join(
  ' + ',
);
const cssTotal = stylesheets.reduce((sum, file) => sum + gzippedSize(file), 0);
console.log(
  `Conversation with code and maths: ${kb(conversationTotal)} JS gzipped in all (target ${kb(CONVERSATION_BUDGET_BYTES)}${conversationTotal > CONVERSATION_BUDGET_BYTES ? `, OVER by ${kb(conversationTotal - CONVERSATION_BUDGET_BYTES)}` : ''})`,
);
console.log(`  = ${parts}; plus ${kb(cssTotal)} of stylesheets (${stylesheets.length} files)`);
console.log('  maths: MathML typeset by the server (maths.render), no TeX converter downloaded');
console.log(`  ${kb(brotliTotal([...conversation]))} JS as served with Brotli\n`);

if (texConverters.length > 0) {
  console.error(
    `report-size: a TeX converter is bundled into the web client (${texConverters.join(', ')}); maths is typeset by the server.`,
  );
  process.exit(1);
}
if (total > BUDGET_BYTES) {
  console.error(`report-size: initial JavaScript is ${kb(total - BUDGET_BYTES)} over the budget.`);
  process.exit(1);
}
// Issue 19: a conversation with code and maths loads at most 110 KB of JavaScript in all.
if (conversationTotal > CONVERSATION_BUDGET_BYTES) {
  console.error(
    `report-size: a conversation with code and maths is ${kb(conversationTotal - CONVERSATION_BUDGET_BYTES)} over its budget.`,
  );
  process.exit(1);
}
