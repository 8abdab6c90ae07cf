import { createDb } from '@llm-council/db';
import { isUsingRealPostgres } from '@llm-council/db/testing';
import { memoryTokenStore, type CouncilClient } from '@llm-council/sdk';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  COUNCIL,
  TITLE_MODEL,
  councilEnv,
  councilReply,
  newApiKey,
  startCouncilTestbed,
  waitUntil,
  type CouncilTestbed,
} from './helpers/council-harness.js';
import { call } from './helpers/http.js';
import { STRONG_PASSWORD, startTestServer, testSecrets, uniqueEmail, type TestServer } from './helpers/test-server.js';

// Security case 56: `logoutAll` refuses the old access token at once and ends open event
// streams — on this host (both engines) and, through LISTEN/NOTIFY, on another (PostgreSQL).

const isPostgres = isUsingRealPostgres();
let bed: CouncilTestbed; // host A, with the fake upstream
let hostB: TestServer | undefined;

beforeAll(async () => {
  const secrets = testSecrets(); // both hosts must sign alike
  bed = await startCouncilTestbed({ env: secrets });
  // Long answers: the run is still streaming when the session ends.
  const answer = Array.from({ length: 400 }, (_, i) => `w${i}`).join(' ');
  for (const model of COUNCIL)
    bed.upstream.setBehavior(model, { tokenDelayMs: 25, reply: councilReply({ answer: () => answer }) });
  bed.upstream.setBehavior(TITLE_MODEL, { hang: true });
  if (!isPostgres) return;
  const url = bed.server.dbHandle.url;
  if (!url) throw new Error('expected a PostgreSQL test database');
  const handle = await createDb({ databaseUrl: url, dataDir: 'memory://' });
  hostB = await startTestServer({ env: { ...councilEnv(bed.upstream.url), ...secrets }, dbHandle: { ...handle, url } });
});
afterAll(async () => {
  await hostB?.close();
  await hostB?.dbHandle.close();
  await bed.close();
});

/** A user with a key and a run streaming on host A; `follow` opens a stream on any host. */
async function startStreamingRun() {
  const email = uniqueEmail('sessions');
  const tokenStore = memoryTokenStore();
  const client = bed.server.client({ tokenStore });
  await client.auth.register.mutate({ email, password: STRONG_PASSWORD });
  await client.settings.saveApiKey.mutate({ provider: 'openrouter', apiKey: newApiKey() });
  const conversation = await client.conversations.create.mutate({});
  const { runId } = await client.council.start.mutate({ conversationId: conversation.id, content: 'Long?' });
  const accessToken = (await tokenStore.load())?.accessToken ?? '';
  return { email, runId, accessToken, clientOn: (host: TestServer) => host.client({ tokenStore }) };
}

/** Follows a run; resolves when the stream ends (completed or failed), with how many events came. */
function followUntilEnded(client: CouncilClient, runId: string) {
  let received = 0;
  const ended = new Promise<{ endedAt: number; how: 'error' | 'complete' }>((resolve) => {
    client.council.events.subscribe(
      { runId },
      {
        onData: () => void (received += 1),
        onError: () => resolve({ endedAt: Date.now(), how: 'error' }),
        onComplete: () => resolve({ endedAt: Date.now(), how: 'complete' }),
      },
    );
  });
  return { ended, received: () => received };
}

async function endEverySession(email: string): Promise<void> {
  const otherDevice = bed.server.client();
  await otherDevice.auth.login.mutate({ email, password: STRONG_PASSWORD });
  await otherDevice.auth.logoutAll.mutate();
}

async function runStatus(runId: string): Promise<string> {
  const row = await bed.server.db.selectFrom('councilRuns').select('status').where('id', '=', runId).executeTakeFirst();
  return row?.status ?? 'missing';
}

test('case 56: logoutAll ends an open council.events stream at once and refuses the old access token', async () => {
  const user = await startStreamingRun();
  const stream = followUntilEnded(user.clientOn(bed.server), user.runId);
  await waitUntil(() => stream.received() > 0, 10_000, 'the first event');

  const loggedOutAt = Date.now();
  await endEverySession(user.email);
  const { endedAt } = await stream.ended;

  expect(endedAt - loggedOutAt).toBeLessThan(2_000);
  expect(await runStatus(user.runId)).toBe('running'); // the stream ended, not the run
  const me = await call(bed.server, 'auth.me', { type: 'query', accessToken: user.accessToken });
  expect(me.status).toBe(401);
});

test.skipIf(!isPostgres)(
  'case 56 across hosts: logoutAll on host A ends a stream open on host B and B refuses the token',
  async () => {
    const user = await startStreamingRun();
    const onB = hostB!;
    const stream = followUntilEnded(user.clientOn(onB), user.runId);
    await waitUntil(() => stream.received() > 0, 10_000, 'the first event on host B');

    const loggedOutAt = Date.now();
    await endEverySession(user.email);
    const { endedAt } = await stream.ended;

    expect(endedAt - loggedOutAt).toBeLessThan(2_000);
    expect(await runStatus(user.runId)).toBe('running');
    const me = await call(onB, 'auth.me', { type: 'query', accessToken: user.accessToken });
    expect(me.status).toBe(401);
  },
);
