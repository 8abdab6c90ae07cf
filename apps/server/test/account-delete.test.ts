import { findRowsOfUser } from '@llm-council/db/testing';
import { memoryTokenStore, type CouncilClient } from '@llm-council/sdk';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  COUNCIL,
  TITLE_MODEL,
  councilReply,
  followToEnd,
  sleep,
  startCouncilTestbed,
  waitUntil,
  type CouncilTestbed,
} from './helpers/council-harness.js';
import { call, failureOf } from './helpers/http.js';
import { STRONG_PASSWORD, uniqueEmail, type TestServer } from './helpers/test-server.js';

// Security case 66: `account.delete` — the password is confirmed (and counted with
// changePassword's guesses), live runs stop calling the provider, open streams end, every token
// is refused at once, and no row of the user is left in any table; another user is untouched.

let bed: CouncilTestbed;
const longAnswer = Array.from({ length: 400 }, (_, i) => `w${i}`).join(' ');

beforeAll(async () => {
  bed = await startCouncilTestbed();
});
afterAll(async () => {
  await bed.close();
});

/** A user with a key, a conversation holding one finished run, and the ids that name their rows. */
async function userWithHistory() {
  const email = uniqueEmail('deleted');
  const tokenStore = memoryTokenStore();
  const client = bed.server.client({ tokenStore });
  const { user } = await client.auth.register.mutate({ email, password: STRONG_PASSWORD });
  await client.settings.saveApiKey.mutate({ provider: 'openrouter', apiKey: `sk-or-v1-${user.id.replace(/-/g, '')}` });
  const conversation = await client.conversations.create.mutate({});
  const { runId } = await client.council.start.mutate({
    conversationId: conversation.id,
    content: 'Why is the sky blue?',
  });
  await followToEnd(client, runId);
  return { email, userId: user.id, client, tokenStore, needles: [user.id, email, conversation.id, runId] };
}

function setAnswers(kind: 'short' | 'long') {
  for (const model of COUNCIL) {
    bed.upstream.setBehavior(
      model,
      kind === 'short'
        ? { tokenDelayMs: 1, reply: councilReply() }
        : { tokenDelayMs: 25, reply: councilReply({ answer: () => longAnswer }) },
    );
  }
  bed.upstream.setBehavior(TITLE_MODEL, { tokenDelayMs: 1, reply: councilReply() });
}

/** Follows a run; resolves when the stream ends, however it ends. */
function followUntilEnded(client: CouncilClient, runId: string) {
  let received = 0;
  const ended = new Promise<number>((resolve) => {
    client.council.events.subscribe(
      { runId },
      {
        onData: () => void (received += 1),
        onError: () => resolve(Date.now()),
        onComplete: () => resolve(Date.now()),
      },
    );
  });
  return { ended, received: () => received };
}

async function batch(server: TestServer, path: string, inputs: unknown[], accessToken: string) {
  const body = Object.fromEntries(inputs.map((input, i) => [String(i), input]));
  const response = await fetch(`${server.url}/trpc/${Array(inputs.length).fill(path).join(',')}?batch=1`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${accessToken}` },
    body: JSON.stringify(body),
  });
  const items = (await response.json()) as { error?: { data?: { appCode?: string } } }[];
  return items.map((item) => item.error?.data?.appCode ?? 'ok');
}

test(
  'case 66: account.delete stops the live run, ends streams and tokens, and leaves no row of the user; another user is untouched',
  { timeout: 120_000 },
  async () => {
    setAnswers('short');
    const alice = await userWithHistory();
    const bob = await userWithHistory();
    // Rows that name Alice without a foreign key: rate-limit counters by email and by user id.
    await failureOf(bed.server.client().auth.login.mutate({ email: alice.email, password: 'not her password' }));
    await failureOf(
      alice.client.account.changePassword.mutate({ currentPassword: 'wrong guess', newPassword: 'a new passphrase' }),
    );
    // A personal access token of hers (it must die with the account, like her sessions).
    const pat = await alice.client.tokens.create.mutate({
      name: 'laptop CLI',
      scopes: ['read'],
      password: STRONG_PASSWORD,
    });
    // A security-log row of hers (this build does not log sign-ins yet).
    await bed.server.db
      .insertInto('auditEvents')
      .values({ userId: alice.userId, event: 'sign_in', detail: '{}' })
      .execute();
    const phone = bed.server.client({ tokenStore: memoryTokenStore() });
    const phoneRefreshToken = (await phone.auth.login.mutate({ email: alice.email, password: STRONG_PASSWORD }))
      .refreshToken;

    // A run still calling the provider, followed by an open stream.
    setAnswers('long');
    const conversation = await alice.client.conversations.create.mutate({});
    const { runId } = await alice.client.council.start.mutate({ conversationId: conversation.id, content: 'Long?' });
    alice.needles.push(conversation.id, runId);
    const stream = followUntilEnded(alice.client, runId);
    await waitUntil(() => stream.received() > 0 && bed.upstream.openRequests > 0, 10_000, 'the run to stream');
    const accessToken = (await alice.tokenStore.load())?.accessToken ?? '';

    const before = await findRowsOfUser(bed.server.db, { id: alice.userId, needles: alice.needles });
    const bobBefore = await findRowsOfUser(bed.server.db, { id: bob.userId, needles: bob.needles });
    // The scan sees Alice's rows everywhere they are, or its "nothing left" below would prove nothing.
    for (const table of ['users', 'refresh_tokens', 'rate_limits', 'messages', 'council_responses', 'council_events']) {
      expect(before.mentioning[table], table).toBeGreaterThan(0);
    }
    for (const table of [
      'conversations',
      'council_runs',
      'user_api_keys',
      'search_entries',
      'audit_events',
      'personal_access_tokens',
    ]) {
      expect(before.byUserId[table], table).toBeGreaterThan(0);
    }

    const logsBefore = bed.server.logs.length;
    const deletedAt = Date.now();
    expect(await alice.client.account.delete.mutate({ password: STRONG_PASSWORD })).toEqual({ ok: true });

    // The SDK forgot the session; the stream ended and the provider is no longer called.
    expect(await alice.tokenStore.load()).toBeNull();
    expect((await stream.ended) - deletedAt).toBeLessThan(2_000);
    await waitUntil(() => bed.upstream.openRequests === 0, 2_000, 'every upstream call to hang up');
    const callsAfter = bed.upstream.requests.length;
    await sleep(500);
    expect(bed.upstream.requests.length).toBe(callsAfter);
    // The run ended cleanly before its rows went: no crash, no write to rows that are gone.
    const errors = bed.server.logs
      .slice(logsBefore)
      .filter((line) => (JSON.parse(line) as { level: number }).level >= 50);
    expect(errors).toEqual([]);

    // Every token of hers is refused, and so is her password.
    expect((await call(bed.server, 'auth.me', { type: 'query', accessToken })).status).toBe(401);
    const refresh = await call(bed.server, 'auth.refresh', {
      input: { transport: 'body', refreshToken: phoneRefreshToken },
    });
    expect(refresh.status).toBe(401);
    const withPat = await call(bed.server, 'conversations.list', { type: 'query', input: {}, accessToken: pat.token });
    expect(withPat.status).toBe(401);
    // No table holds a row of hers, by user_id or by any id or email of hers in any column.
    const after = await findRowsOfUser(bed.server.db, { id: alice.userId, needles: alice.needles });
    expect(Object.entries(after.mentioning).filter(([, n]) => n > 0)).toEqual([]);
    expect(Object.entries(after.byUserId).filter(([, n]) => n > 0)).toEqual([]);
    expect(await findRowsOfUser(bed.server.db, { id: bob.userId, needles: bob.needles })).toEqual(bobBefore);
    // Signing in with her password fails like any unknown email (the attempt is counted by email, as for any).
    const login = await failureOf(
      bed.server.client().auth.login.mutate({ email: alice.email, password: STRONG_PASSWORD }),
    );
    expect(login.appCode).toBe('INVALID_CREDENTIALS');

    expect(await bob.client.conversations.list.query({})).toMatchObject({ items: [{}] });
  },
);

test(
  'case 66: thirty batched account.delete guesses reach argon2 ten times, the right password then waits, and nothing is deleted',
  { timeout: 120_000 },
  async () => {
    const client = bed.server.client({ tokenStore: memoryTokenStore() });
    const email = uniqueEmail('guessed');
    const { accessToken } = await client.auth.register.mutate({ email, password: STRONG_PASSWORD });
    const guesses = Array.from({ length: 30 }, (_, i) => ({ password: `batched guess ${i}` }));
    const codes = await batch(bed.server, 'account.delete', guesses, accessToken);
    expect(codes.filter((code) => code === 'INVALID_CREDENTIALS')).toHaveLength(10);
    expect(codes.filter((code) => code === 'RATE_LIMITED')).toHaveLength(20);

    const right = await failureOf(client.account.delete.mutate({ password: STRONG_PASSWORD }));
    expect(right.appCode).toBe('RATE_LIMITED');
    expect((await client.auth.me.query()).email).toBe(email);
  },
);

test(
  'case 66: parallel guesses at account.delete and changePassword share one budget of ten',
  { timeout: 120_000 },
  async () => {
    const client = bed.server.client({ tokenStore: memoryTokenStore() });
    const email = uniqueEmail('shared');
    await client.auth.register.mutate({ email, password: STRONG_PASSWORD });
    const outcomes = await Promise.all([
      ...Array.from({ length: 15 }, (_, i) =>
        failureOf(client.account.delete.mutate({ password: `parallel guess ${i}` })),
      ),
      ...Array.from({ length: 15 }, (_, i) =>
        failureOf(
          client.account.changePassword.mutate({ currentPassword: `parallel guess ${i}`, newPassword: 'x'.repeat(12) }),
        ),
      ),
    ]);
    const codes = outcomes.map((failure) => failure.appCode);
    expect(codes.filter((code) => code === 'INVALID_CREDENTIALS')).toHaveLength(10);
    expect(codes.filter((code) => code === 'RATE_LIMITED')).toHaveLength(20);
    expect((await client.auth.me.query()).email).toBe(email);
  },
);
