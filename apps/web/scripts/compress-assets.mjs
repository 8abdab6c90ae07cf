// Writes a Brotli (.br) and a gzip (.gz) copy of every script and stylesheet in dist/, at the
// highest levels: the server sends these to browsers that accept them (apps/server/src/web-client.ts),
// so nothing is compressed per request. Copies that would not be smaller are skipped.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const distDir = join(import.meta.dirname, '..', 'dist');
const COMPRESSIBLE = /\.(?:js|css|svg|json)$/;

let files = 0;
for (const entry of readdirSync(distDir, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !COMPRESSIBLE.test(entry.name)) continue;
  const path = join(entry.parentPath, entry.name);
  const raw = readFileSync(path);
  const brotli = brotliCompressSync(raw, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
  });
  const gzip = gzipSync(raw, { level: 9 });
  if (brotli.length < raw.length) writeFileSync(`${path}.br`, brotli);
  if (gzip.length < raw.length) writeFileSync(`${path}.gz`, gzip);
  files += 1;
}
console.log(`compress-assets: wrote Brotli and gzip copies of ${files} files`);
