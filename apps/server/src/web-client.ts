import { existsSync, readdirSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import express from 'express';

/*
 * The built web client. `pnpm build` writes a Brotli (`.br`) and a gzip (`.gz`) copy beside every
 * script and stylesheet (apps/web/scripts/compress-assets.mjs), so a browser downloads the
 * compressed bytes the size report counts, not the raw files (about three times as many), and the
 * server compresses nothing per request. Vite names assets by content hash, so those are cached
 * for a year; the app shell is revalidated on every load so a new build is picked up at once.
 */

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};

const ENCODINGS = [
  { name: 'br', suffix: '.br' },
  { name: 'gzip', suffix: '.gz' },
] as const;

const HASHED_ASSET = /^\/assets\//;
const YEAR_SECONDS = 365 * 24 * 60 * 60;

/** Mounts the web client, or a plain note when it has not been built. */
export function serveWebClient(app: express.Express, distDir: string): void {
  const indexHtml = join(distDir, 'index.html');
  if (!existsSync(indexHtml)) {
    app.get('/', (_req, res) => {
      res.type('text/plain').send('LLM Council API is running. Build the web client (pnpm build) to serve it here.');
    });
    return;
  }
  app.use(servePrecompressed(distDir));
  app.use(
    express.static(distDir, {
      index: false,
      setHeaders: (res, path) => res.setHeader('Cache-Control', cacheControlFor(`/${relative(distDir, path)}`)),
    }),
  );
  // Client-side routes: everything that is not an API path gets the app shell.
  app.get(/^(?!\/trpc|\/healthz|\/readyz|\/v1\/|\/mcp|\/api\/).*/, (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(indexHtml);
  });
}

function cacheControlFor(urlPath: string): string {
  return HASHED_ASSET.test(urlPath.split(sep).join('/'))
    ? `public, max-age=${YEAR_SECONDS}, immutable`
    : 'public, max-age=3600';
}

/**
 * Serves `x.js.br` or `x.js.gz` for `x.js` when the browser accepts that encoding. Only the files
 * found at start-up are candidates (a fixed set of URL paths, so a request path never reaches the
 * file system unchecked); anything else falls through to the plain static handler.
 */
function servePrecompressed(distDir: string): express.RequestHandler {
  const available = new Map<string, Set<string>>(); // URL path → encodings on disk
  for (const file of listFiles(distDir)) {
    const encoding = ENCODINGS.find(({ suffix }) => file.endsWith(suffix));
    if (!encoding) continue;
    const original = file.slice(0, -encoding.suffix.length);
    if (!CONTENT_TYPES[extname(original)] || !existsSync(join(distDir, original))) continue;
    const urlPath = `/${original.split(sep).join('/')}`;
    const encodings = available.get(urlPath) ?? new Set<string>();
    encodings.add(encoding.name);
    available.set(urlPath, encodings);
  }

  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const encodings = available.get(req.path);
    if (!encodings) return next();
    res.vary('Accept-Encoding');
    // Our preference (the smaller Brotli first), not the order the browser lists them in: Chromium
    // sends "gzip, deflate, br, zstd" with equal weights.
    const chosen = ENCODINGS.find(({ name }) => encodings.has(name) && req.acceptsEncodings(name) === name);
    if (!chosen) return next();
    res.sendFile(join(distDir, `${req.path}${chosen.suffix}`), {
      headers: {
        'Content-Encoding': chosen.name,
        'Content-Type': CONTENT_TYPES[extname(req.path)] ?? 'application/octet-stream',
        'Cache-Control': cacheControlFor(req.path),
      },
      // Our own Cache-Control above; send's would say max-age=0.
      cacheControl: false,
    });
  };
}

function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return listFiles(path, base);
    return entry.isFile() ? [relative(base, path)] : [];
  });
}
