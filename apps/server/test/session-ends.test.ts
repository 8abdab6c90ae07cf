import { createDb } from '@llm-council/db';
import { isUsingRealPostgres } from '@llm-council/db/testing';
import { createCouncilClient, getAppErrorCode, memoryTokenStore, type CouncilClient } from '@llm-council/sdk';
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

// Security case 56: `logoutAll` refuses the old session token at once and ends open event
// streams — on this host (both engines) and, through LISTEN/NOTIFY, on another (PostgreSQL).
// Case 82: so do revoking a personal access token and its expiry, for the streams it opened.

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
  return { email, client, runId, accessToken, clientOn: (host: TestServer) => host.client({ tokenStore }) };
}

/** A `read` + `council` personal access token of the user, and a client on `host` using it. */
async function tokenClient(user: Awaited<ReturnType<typeof startStreamingRun>>, host: TestServer) {
  const made = await user.client.tokens.create.mutate({
    name: 'script',
    scopes: ['read', 'council'],
    password: STRONG_PASSWORD,
  });
  return { ...made, client: createCouncilClient({ url: host.url, token: made.token }) };
}

/** Follows a run; resolves when the stream ends (completed or failed), with how many events came. */
function followUntilEnded(client: CouncilClient, runId: string) {
  let received = 0;
  const ended = new Promise<{ how: 'error' | 'complete'; appCode?: string | null }>((resolve) => {
    client.council.events.subscribe(
      { runId },
      {
        onData: () => void (received += 1),
        onError: (error) => resolve({ how: 'error', appCode: getAppErrorCode(error) }),
        onComplete: () => resolve({ how: 'complete' }),
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

test('case 56: logoutAll ends an open council.events stream at once and refuses the old session token', async () => {
  const user = await startStreamingRun();
  const stream = followUntilEnded(user.clientOn(bed.server), user.runId);
  await waitUntil(() => stream.received() > 0, 10_000, 'the first event');

  await endEverySession(user.email);
  // Ended with an error while the run still streams (a stream left open would complete with the run).
  expect((await stream.ended).how).toBe('error');
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

    await endEverySession(user.email);
    expect((await stream.ended).how).toBe('error');
    expect(await runStatus(user.runId)).toBe('running');
    const me = await call(onB, 'auth.me', { type: 'query', accessToken: user.accessToken });
    expect(me.status).toBe(401);
  },
);

// Issue 17: on the main of before, a revoked token's stream went on (262 more events arrived) until
// the run ended; these fail there with `how: 'complete'`.
test('case 82: revoking a personal access token ends the event stream opened with it; the run goes on', async () => {
  const user = await startStreamingRun();
  const pat = await tokenClient(user, bed.server);
  const stream = followUntilEnded(pat.client, user.runId);
  await waitUntil(() => stream.received() > 0, 10_000, 'the first event');

  await user.client.tokens.revoke.mutate({ id: pat.id });
  expect(await stream.ended).toMatchObject({ how: 'error', appCode: 'ACCESS_TOKEN_INVALID' });
  expect(await runStatus(user.runId)).toBe('running'); // the stream ended, not the run
  // The password session's own stream is not the token's: it follows the run to its end.
  const own = followUntilEnded(user.clientOn(bed.server), user.runId);
  await waitUntil(() => own.received() > 0, 10_000, 'the session stream');
  await user.client.council.cancel.mutate({ runId: user.runId });
  expect((await own.ended).how).toBe('complete');
});

test('case 82: an expiring personal access token ends its open stream when it expires', async () => {
  const user = await startStreamingRun();
  const pat = await tokenClient(user, bed.server);
  // Tokens live at least a day; this one is made to expire in three seconds of real time.
  const soon = new Date(bed.server.now().getTime() + 3_000);
  await bed.server.db.updateTable('personalAccessTokens').set({ expiresAt: soon }).where('id', '=', pat.id).execute();
  const stream = followUntilEnded(pat.client, user.runId);
  await waitUntil(() => stream.received() > 0, 10_000, 'the first event');

  expect(await stream.ended).toMatchObject({ how: 'error', appCode: 'ACCESS_TOKEN_INVALID' });
  expect(bed.server.now().getTime()).toBeGreaterThanOrEqual(soon.getTime());
  expect(await runStatus(user.runId)).toBe('running');
  await user.client.council.cancel.mutate({ runId: user.runId });
});

test('case 80: logoutAll ends the streams of access tokens too, unless they are kept', async () => {
  const keeper = await startStreamingRun();
  const kept = await tokenClient(keeper, bed.server);
  const keptStream = followUntilEnded(kept.client, keeper.runId);
  await waitUntil(() => keptStream.received() > 0, 10_000, 'the first event');
  await keeper.client.auth.logoutAll.mutate({ keepAccessTokens: true });
  // The kept token's stream is never cut: it follows the run to its end (cancelled with the token).
  await kept.client.council.cancel.mutate({ runId: keeper.runId });
  expect((await keptStream.ended).how).toBe('complete');

  const user = await startStreamingRun();
  const revoked = await tokenClient(user, bed.server);
  const revokedStream = followUntilEnded(revoked.client, user.runId);
  await waitUntil(() => revokedStream.received() > 0, 10_000, 'the first event');
  await user.client.auth.logoutAll.mutate();
  expect(await revokedStream.ended).toMatchObject({ how: 'error', appCode: 'ACCESS_TOKEN_INVALID' });
  expect(await runStatus(user.runId)).toBe('running');
});

test.skipIf(!isPostgres)(
  'case 82 across hosts: revoking a token on host A ends the stream it opened on host B',
  async () => {
    const user = await startStreamingRun();
    const pat = await tokenClient(user, hostB!);
    const stream = followUntilEnded(pat.client, user.runId);
    await waitUntil(() => stream.received() > 0, 10_000, 'the first event on host B');

    await user.client.tokens.revoke.mutate({ id: pat.id });
    expect(await stream.ended).toMatchObject({ how: 'error', appCode: 'ACCESS_TOKEN_INVALID' });
    expect(await runStatus(user.runId)).toBe('running');
    await user.client.council.cancel.mutate({ runId: user.runId });
  },
);
