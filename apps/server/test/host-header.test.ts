import { request } from 'node:http';
import { expect, test } from 'vitest';
import { startTestServer } from './helpers/test-server.js';

// Issue 9, hole 12: in production the server answers only requests that name APP_URL's host.

function get(port: number, path: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { Host: host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

test('hole 12: in production a foreign Host header is answered 421; APP_URL host and health checks pass', async () => {
  const server = await startTestServer({ env: { NODE_ENV: 'production', APP_URL: 'https://council.example.test' } });
  try {
    const port = Number(new URL(server.url).port);
    expect(await get(port, '/trpc/auth.me', `127.0.0.1:${port}`)).toBe(421);
    expect(await get(port, '/trpc/auth.me', 'evil.example')).toBe(421);
    expect(await get(port, '/trpc/auth.me', 'council.example.test')).toBe(401);
    expect(await get(port, '/trpc/auth.me', 'COUNCIL.example.test')).toBe(401);
    expect(await get(port, '/healthz', `127.0.0.1:${port}`)).toBe(200);
  } finally {
    await server.close();
  }
});

test('hole 12: outside production the Host header is not checked', async () => {
  const server = await startTestServer();
  try {
    const port = Number(new URL(server.url).port);
    expect(await get(port, '/trpc/auth.me', 'anything.example')).toBe(401);
  } finally {
    await server.close();
  }
});
