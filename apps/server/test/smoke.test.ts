import { afterAll, beforeAll, expect, test } from 'vitest';
import { registerUser, startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

test('healthz reports the database as up', async () => {
  const response = await fetch(`${server.url}/healthz`);
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ status: 'ok', database: 'up' });
});

test('a registered user can read their own profile', async () => {
  const { client, email } = await registerUser(server);
  const me = await client.auth.me.query();
  expect(me.email).toBe(email);
});
