import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import express from 'express';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { serveWebClient } from '../src/web-client.js';

// The web client is served as the build's precompressed copies (issue 19, bundle budget: the
// gzipped figures the build prints are what a browser downloads), hashed assets cached for good.

const script = `export const answer = ${JSON.stringify('the council says '.repeat(200))};\n`;
let dir: string;
let server: Server;
let port: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'web-dist-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>LLM Council</title>');
  writeFileSync(join(dir, 'assets', 'chat-a1b2.js'), script);
  writeFileSync(join(dir, 'assets', 'chat-a1b2.js.br'), brotliCompressSync(script));
  writeFileSync(join(dir, 'assets', 'chat-a1b2.js.gz'), gzipSync(script));
  writeFileSync(join(dir, 'assets', 'tiny-c3d4.js'), 'export {};\n'); // too small to compress
  writeFileSync(join(dir, 'theme.js'), script);
  writeFileSync(join(dir, 'theme.js.gz'), gzipSync(script));
  const app = express();
  serveWebClient(app, dir);
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function get(path: string, acceptEncoding?: string, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers = acceptEncoding === undefined ? {} : { 'Accept-Encoding': acceptEncoding };
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('a browser that accepts Brotli gets the .br copy, with the script type and Vary', async () => {
  const reply = await get('/assets/chat-a1b2.js', 'gzip, deflate, br');
  expect(reply.status).toBe(200);
  expect(reply.headers['content-encoding']).toBe('br');
  expect(reply.headers['content-type']).toBe('text/javascript; charset=utf-8');
  expect(reply.headers['vary']).toMatch(/Accept-Encoding/i);
  expect(reply.body).toEqual(brotliCompressSync(script));
  expect(reply.body.length).toBeLessThan(script.length / 5);
});

test('gzip when Brotli is not accepted or refused; the raw file when neither is', async () => {
  const gzip = await get('/assets/chat-a1b2.js', 'gzip');
  expect(gzip.headers['content-encoding']).toBe('gzip');
  expect(gzip.body).toEqual(gzipSync(script));

  const brRefused = await get('/assets/chat-a1b2.js', 'br;q=0, gzip');
  expect(brRefused.headers['content-encoding']).toBe('gzip');

  const identity = await get('/assets/chat-a1b2.js');
  expect(identity.status).toBe(200);
  expect(identity.headers['content-encoding']).toBeUndefined();
  expect(identity.body.toString()).toBe(script);
  expect(identity.headers['vary']).toMatch(/Accept-Encoding/i);
});

test('hashed assets are cached for a year; other files for an hour; the app shell is revalidated', async () => {
  expect((await get('/assets/chat-a1b2.js', 'br')).headers['cache-control']).toBe(
    'public, max-age=31536000, immutable',
  );
  expect((await get('/assets/tiny-c3d4.js', 'br')).headers['cache-control']).toBe(
    'public, max-age=31536000, immutable',
  );
  const theme = await get('/theme.js', 'br, gzip');
  expect(theme.headers['content-encoding']).toBe('gzip');
  expect(theme.headers['cache-control']).toBe('public, max-age=3600');
  const shell = await get('/conversations/42', 'br');
  expect(shell.headers['content-type']).toMatch(/^text\/html/);
  expect(shell.headers['cache-control']).toBe('no-cache');
});

test('a file without compressed copies is served as it is; HEAD gets the headers only', async () => {
  const tiny = await get('/assets/tiny-c3d4.js', 'br, gzip');
  expect(tiny.headers['content-encoding']).toBeUndefined();
  expect(tiny.body.toString()).toBe('export {};\n');

  const head = await get('/assets/chat-a1b2.js', 'br', 'HEAD');
  expect(head.status).toBe(200);
  expect(head.headers['content-encoding']).toBe('br');
  expect(head.body.length).toBe(0);
});

test('a compressed copy is never served for a path outside the build, nor can its name be asked for a file it is not', async () => {
  const traversal = await get('/assets/../../etc/passwd', 'br');
  expect(traversal.headers['content-encoding']).toBeUndefined();
  expect(traversal.body.toString()).not.toMatch(/root:/);
  // The .br file itself, asked for directly, is bytes, not a script with a Content-Encoding.
  const direct = await get('/assets/chat-a1b2.js.br', 'br');
  expect(direct.headers['content-encoding']).toBeUndefined();
});
