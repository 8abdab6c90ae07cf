// Prints how much JavaScript the first page load downloads (gzipped) and fails the build when it
// exceeds the budget. "Initial" means the entry chunk plus everything it imports statically —
// exactly what the browser fetches before the app can paint; lazy routes and the markdown chunk
// are listed separately because they load on demand. It also prints what a conversation showing
// code and maths fetches in all: initial + the chat page + the markdown renderer + highlight.js
// (core and one grammar) + KaTeX.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = 45 * 1024;
const CONVERSATION_BUDGET_BYTES = 110 * 1024;
const distDir = join(import.meta.dirname, '..', 'dist');
const manifest = JSON.parse(readFileSync(join(distDir, '.vite', 'manifest.json'), 'utf8'));

const gzippedSize = (file) => gzipSync(readFileSync(join(distDir, file)), { level: 9 }).length;
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
const conversation = new Set();
const lazyKeys = Object.keys(manifest).filter((key) =>
  /src\/chat\/chat-page\.tsx$|src\/markdown\/render-markdown\.ts$|highlight\.js\/es\/core\.js$|languages\/python\.js$|katex\.mjs$/.test(
    key,
  ),
);
for (const key of [...entries.map(([key]) => key), ...lazyKeys]) visitInto(conversation)(key);

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
console.log(`\nInitial JS total: ${kb(total)} gzipped (budget ${kb(BUDGET_BYTES)})`);
const conversationTotal = rows([...conversation].filter((file) => file.endsWith('.js'))).reduce(
  (sum, row) => sum + row.size,
  0,
);
console.log(
  `Conversation with code and maths: ${kb(conversationTotal)} gzipped in all (${lazyKeys.length} lazy chunks; target ${kb(CONVERSATION_BUDGET_BYTES)}${conversationTotal > CONVERSATION_BUDGET_BYTES ? ', OVER: KaTeX alone is ~75 KB' : ''})\n`,
);

if (total > BUDGET_BYTES) {
  console.error(`report-size: initial JavaScript is ${kb(total - BUDGET_BYTES)} over the budget.`);
  process.exit(1);
}
