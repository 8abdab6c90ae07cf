import { expect } from 'vitest';
import { serverTest } from './helpers/fixtures.js';
import { call, expectError, type TrpcErrorBody } from './helpers/http.js';
import { STRONG_PASSWORD, uniqueEmail, type TestServer } from './helpers/test-server.js';

// Security case 4: a login for an unknown email and a login with a wrong password look the
// same from outside — same status and body, and (roughly) the same latency.

const TRIES = 20;

// Timing is argon2's: the test needs production's hash cost, not the suite's cheap one.
const test = serverTest({ env: { PASSWORD_HASH_PROFILE: 'standard' } });

async function timedLogin(
  server: TestServer,
  email: string,
  password: string,
): Promise<{ ms: number; error: TrpcErrorBody; status: number }> {
  const start = performance.now();
  const response = await call(server, 'auth.login', { input: { email, password, transport: 'body' } });
  const ms = performance.now() - start;
  return { ms, status: response.status, error: expectError(response, 'UNAUTHORIZED') };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Everything a client can see except the per-request id. */
function visible(error: TrpcErrorBody, status: number) {
  const { requestId: _requestId, ...data } = error.data;
  return { status, message: error.message, code: error.code, data };
}

test('unknown email and wrong password get an identical answer in about the same time', async ({ server }) => {
  // Accounts are locked after 10 failures, so the wrong-password tries are spread over two.
  const accounts: string[] = [];
  for (let i = 0; i < TRIES / 10; i++) {
    const email = uniqueEmail('timing');
    await call(server, 'auth.register', { input: { email, password: STRONG_PASSWORD } });
    accounts.push(email);
  }
  await timedLogin(server, uniqueEmail('warm-up'), STRONG_PASSWORD); // the first unknown email also builds the dummy hash

  const unknown: number[] = [];
  const wrong: number[] = [];
  const bodies = new Set<string>();
  for (let i = 0; i < TRIES; i++) {
    // Interleaved, so drifting machine load affects both series alike.
    const a = await timedLogin(server, uniqueEmail('nobody'), 'a plausible password');
    const b = await timedLogin(server, accounts[i % accounts.length] ?? '', 'a plausible password');
    unknown.push(a.ms);
    wrong.push(b.ms);
    bodies.add(JSON.stringify(visible(a.error, a.status)));
    bodies.add(JSON.stringify(visible(b.error, b.status)));
  }
  expect(bodies.size).toBe(1);
  expect(JSON.parse([...bodies][0] ?? '{}')).toMatchObject({
    status: 401,
    message: 'Email or password is incorrect',
    data: { appCode: 'INVALID_CREDENTIALS' },
  });

  const [unknownMs, wrongMs] = [median(unknown), median(wrong)];
  const difference = Math.abs(unknownMs - wrongMs) / Math.max(unknownMs, wrongMs);
  expect(difference, `median unknown ${unknownMs.toFixed(0)} ms vs wrong ${wrongMs.toFixed(0)} ms`).toBeLessThan(0.25);
});
