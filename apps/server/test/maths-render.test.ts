import { MATHS_MAX_FORMULAS, MATHS_MAX_TOTAL_LENGTH } from '@llm-council/api/constants';
import { expect } from 'vitest';
import { serverTest } from './helpers/fixtures.js';
import { call } from './helpers/http.js';
import { registerUser } from './helpers/test-server.js';

// maths.render over HTTP (security case 115's limits hold at the edge too): a query whose input
// cannot fit in a URL, so the SDK sends it as a POST with a JSON body; mutations stay POST-only.

const test = serverTest().extend('alice', { scope: 'file' }, async ({ server }) => registerUser(server));

test('the SDK sends a full maths.render call (50,000 characters of TeX) as one POST, and every formula comes back', async ({
  server,
  alice,
}) => {
  const requests: { method: string; path: string }[] = [];
  const client = server.client({
    fetch: (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      requests.push({ method: init?.method ?? 'GET', path: decodeURIComponent(url.pathname) });
      return fetch(input, init);
    },
  });
  await client.auth.login.mutate({ email: alice.email, password: alice.password });
  // Backslashes are the worst case for a URL: each is six bytes once JSON-escaped and encoded.
  const formulas = Array.from({ length: MATHS_MAX_FORMULAS }, (_, i) => ({
    tex: `${'\\alpha+\\beta+'.repeat(19)}${i}`,
    display: i % 2 === 0,
  }));
  const total = formulas.reduce((sum, formula) => sum + formula.tex.length, 0);
  expect(total).toBeGreaterThan(MATHS_MAX_TOTAL_LENGTH * 0.95);
  expect(total).toBeLessThanOrEqual(MATHS_MAX_TOTAL_LENGTH);

  const results = await client.maths.render.query({ formulas });
  expect(results).toHaveLength(MATHS_MAX_FORMULAS);
  expect(results.every((result) => 'mathml' in result && result.mathml.includes('<mi>α</mi>'))).toBe(true);
  expect(requests.filter((request) => request.path.includes('maths.render'))).toEqual([
    { method: 'POST', path: '/trpc/maths.render' },
  ]);
});

test('a small maths.render query still works as a GET, and a mutation is still refused as a GET', async ({
  server,
  alice,
}) => {
  const accessToken = (await alice.client.getAccessToken()) ?? '';
  const get = await call(server, 'maths.render', {
    type: 'query',
    accessToken,
    input: { formulas: [{ tex: 'x^2', display: false }] },
  });
  expect(get.status).toBe(200);
  expect(JSON.stringify(get.data)).toContain('<msup><mi>x</mi><mn>2</mn></msup>');

  const mutationByGet = await fetch(
    `${server.url}/trpc/conversations.create?input=${encodeURIComponent(JSON.stringify({ title: 'via GET' }))}`,
    { headers: { Authorization: `Bearer ${accessToken}` } },
  );
  expect(mutationByGet.status).toBe(405);
  // A query sent as a POST must be JSON like a mutation (no cross-site form can send it).
  const formPost = await call(server, 'maths.render', {
    accessToken,
    contentType: 'text/plain',
    input: { formulas: [{ tex: 'x', display: false }] },
  });
  expect(formPost.status).toBe(415);
});

test('signed out, maths.render is 401 over HTTP', async ({ server }) => {
  const response = await call(server, 'maths.render', {
    type: 'query',
    input: { formulas: [{ tex: 'x', display: false }] },
  });
  expect(response.status).toBe(401);
});
