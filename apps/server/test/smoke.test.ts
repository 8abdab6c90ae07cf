import { expect } from 'vitest';
import { serverTest } from './helpers/fixtures.js';
import { registerUser } from './helpers/test-server.js';

const test = serverTest();

test('healthz reports the database as up', async ({ server }) => {
  const response = await fetch(`${server.url}/healthz`);
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ status: 'ok', database: 'up' });
});

test('a registered user can read their own profile', async ({ server }) => {
  const { client, email } = await registerUser(server);
  const me = await client.auth.me.query();
  expect(me.email).toBe(email);
});
