// Prints how much JavaScript the first page load downloads (gzipped) and fails the build when it
// exceeds the budget. "Initial" means the entry chunk plus everything it imports statically —
// exactly what the browser fetches before the app can paint; lazy routes and the markdown chunk
// are listed separately because they load on demand.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = 60 * 1024;
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
const visit = (key) => {
  const chunk = manifest[key];
  if (!chunk || initial.has(chunk.file)) return;
  initial.add(chunk.file);
  for (const imported of chunk.imports ?? []) visit(imported);
};
for (const [key] of entries) visit(key);

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
console.log(`\nInitial JS total: ${kb(total)} gzipped (budget ${kb(BUDGET_BYTES)})\n`);

if (total > BUDGET_BYTES) {
  console.error(`report-size: initial JavaScript is ${kb(total - BUDGET_BYTES)} over the budget.`);
  process.exit(1);
}
