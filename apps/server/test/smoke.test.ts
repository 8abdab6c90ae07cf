import { afterAll, beforeAll, expect, test } from 'vitest';
import { registerUser, startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

test('healthz says the process is alive and readyz that it is ready for traffic', async () => {
  const live = await fetch(`${server.url}/healthz`);
  expect(live.status).toBe(200);
  expect(await live.json()).toEqual({ status: 'ok' });
  const ready = await fetch(`${server.url}/readyz`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toEqual({ status: 'ready' });
});

test('a registered user can read their own profile', async () => {
  const { client, email } = await registerUser(server);
  const me = await client.auth.me.query();
  expect(me.email).toBe(email);
});
