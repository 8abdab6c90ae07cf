import { expect } from 'vitest';
import { serverTest } from './helpers/fixtures.js';
import { STRONG_PASSWORD, uniqueEmail } from './helpers/test-server.js';

const test = serverTest();

test('healthz says the process is alive and readyz that it is ready for traffic', async ({ server }) => {
  const live = await fetch(`${server.url}/healthz`);
  expect(live.status).toBe(200);
  expect(await live.json()).toEqual({ status: 'ok' });
  const ready = await fetch(`${server.url}/readyz`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toEqual({ status: 'ready' });
});

test('a registered user can read their own profile', async ({ server }) => {
  const client = server.client();
  const email = uniqueEmail();
  await client.auth.register.mutate({ email, password: STRONG_PASSWORD });
  const me = await client.auth.me.query();
  expect(me.email).toBe(email);
});
