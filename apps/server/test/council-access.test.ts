import { sql } from 'kysely';
import { expect } from 'vitest';
import { councilTest } from './helpers/fixtures.js';
import { failureOf } from './helpers/http.js';
import {
  COUNCIL,
  followToEnd,
  requestsOf,
  signUpWithKey,
  waitForRunStatus,
  waitUntil,
  type CouncilTestbed,
} from './helpers/council-harness.js';

// Who may do what with a run, and what is refused before any upstream call: another user's run
// (case 26), unreadable keys (31), no key at all (33), unknown models (42), the per-user limit on
// concurrent runs and the message size limit. This server has no fallback key of its own.

const test = councilTest({ env: { MAX_CONCURRENT_RUNS_PER_USER: '2' } });

/** Models that take a while (first token after 400 ms), so a run is still going when we poke at it. */
function slowModels(bed: CouncilTestbed): void {
  for (const model of COUNCIL) bed.upstream.setBehavior(model, { firstTokenMs: 400, tokenDelayMs: 1 });
}

test("user B gets NOT_FOUND subscribing to, following, cancelling, retrying or reading user A's run, and A's run is untouched (case 26)", async ({
  bed,
}) => {
  slowModels(bed);
  const alice = await signUpWithKey(bed.server);
  const bob = await signUpWithKey(bed.server);
  const { runId } = await alice.client.council.start.mutate({ conversationId: alice.conversationId, content: 'Mine' });
  const requestsBefore = bed.upstream.requests.length;

  const subscribed = await new Promise<unknown>((resolve) => {
    const subscription = bob.client.council.events.subscribe(
      { runId },
      {
        onData: () => resolve(new Error('bob received an event of alice’s run')),
        onError: (error) => {
          subscription.unsubscribe();
          resolve(error);
        },
      },
    );
  });
  expect(subscribed).toMatchObject({ data: { code: 'NOT_FOUND' } });

  const followedAt = Date.now();
  expect(await failureOf(followToEnd(bob.client, runId))).toMatchObject({ code: 'NOT_FOUND' });
  expect(Date.now() - followedAt).toBeLessThan(2_000); // a refusal is final, not retried for seconds

  expect(await failureOf(bob.client.council.cancel.mutate({ runId }))).toMatchObject({
    code: 'NOT_FOUND',
    appCode: 'NOT_FOUND',
  });
  expect(await failureOf(bob.client.council.retry.mutate({ runId }))).toMatchObject({ code: 'NOT_FOUND' });
  expect(await failureOf(bob.client.council.get.query({ runId }))).toMatchObject({ code: 'NOT_FOUND' });
  // Exactly like a run that does not exist at all.
  const missing = await failureOf(bob.client.council.get.query({ runId: crypto.randomUUID() }));
  expect(missing).toMatchObject({
    code: 'NOT_FOUND',
    message: (await failureOf(bob.client.council.get.query({ runId }))).message,
  });

  const run = await waitForRunStatus(alice.client, runId, ['completed', 'failed', 'cancelled']);
  expect(run.status).toBe('completed');
  // Bob's attempts made no upstream call; every call carried Alice's key.
  const calls = bed.upstream.requests.slice(requestsBefore);
  expect(calls.every((r) => r.authorization === `Bearer ${alice.apiKey}`)).toBe(true);
  expect(bed.upstream.requests.some((r) => r.authorization === `Bearer ${bob.apiKey}`)).toBe(false);
});

/** Runs `statement` against the users' stored key rows. */
async function tamperWithKeys(bed: CouncilTestbed, statement: ReturnType<typeof sql>): Promise<void> {
  await statement.execute(bed.server.db);
}

test('a stored key ciphertext swapped between two users fails with API_KEY_UNREADABLE for both, before any upstream call (case 31)', async ({
  bed,
}) => {
  const alice = await signUpWithKey(bed.server);
  const bob = await signUpWithKey(bed.server);
  await tamperWithKeys(
    bed,
    sql`
    update user_api_keys set encrypted_key = case user_id
      when ${alice.userId}::uuid then (select encrypted_key from user_api_keys where user_id = ${bob.userId}::uuid)
      when ${bob.userId}::uuid then (select encrypted_key from user_api_keys where user_id = ${alice.userId}::uuid)
    end
    where user_id in (${alice.userId}::uuid, ${bob.userId}::uuid)`,
  );

  for (const user of [alice, bob]) {
    const failure = await failureOf(
      user.client.council.start.mutate({ conversationId: user.conversationId, content: 'Hi' }),
    );
    expect(failure).toMatchObject({ code: 'PRECONDITION_FAILED', appCode: 'API_KEY_UNREADABLE' });
    expect(failure.message).toMatch(/re-enter your key/i);
    const conversation = await user.client.conversations.get.query({ id: user.conversationId });
    expect(conversation.messages).toEqual([]);
    expect(conversation.runs).toEqual([]);
  }
  expect(bed.upstream.requests).toHaveLength(0);

  // Saving the key again repairs it.
  await alice.client.settings.saveApiKey.mutate({ provider: 'openrouter', apiKey: alice.apiKey! });
  const { runId } = await alice.client.council.start.mutate({
    conversationId: alice.conversationId,
    content: 'Hi again',
  });
  await waitForRunStatus(alice.client, runId, ['completed']);
  expect(bed.upstream.requests.every((r) => r.authorization === `Bearer ${alice.apiKey}`)).toBe(true);
});

test('a stored key ciphertext with one flipped bit fails with API_KEY_UNREADABLE, no 500 and no upstream call (case 31)', async ({
  bed,
}) => {
  const alice = await signUpWithKey(bed.server);
  const row = await bed.server.db
    .selectFrom('userApiKeys')
    .select('encryptedKey')
    .where('userId', '=', alice.userId)
    .executeTakeFirstOrThrow();
  const [version, kid, body] = row.encryptedKey.split('.');
  const bytes = Buffer.from(body!, 'base64url');
  bytes[20] = bytes[20]! ^ 0x01; // a bit of the ciphertext proper (after the 12-byte IV)
  const flipped = `${version}.${kid}.${bytes.toString('base64url')}`;
  expect(flipped).not.toBe(row.encryptedKey);
  await bed.server.db
    .updateTable('userApiKeys')
    .set({ encryptedKey: flipped })
    .where('userId', '=', alice.userId)
    .execute();

  const failure = await failureOf(
    alice.client.council.start.mutate({ conversationId: alice.conversationId, content: 'Hi' }),
  );
  expect(failure).toMatchObject({ code: 'PRECONDITION_FAILED', appCode: 'API_KEY_UNREADABLE' });
  expect(bed.upstream.requests).toHaveLength(0);
  expect(bed.server.logs.some((line) => line.includes(alice.apiKey!))).toBe(false);
});

test('a user with no key on a server with no fallback key gets PRECONDITION_FAILED NO_API_KEY before any upstream call (case 33)', async ({
  bed,
}) => {
  const carol = await signUpWithKey(bed.server, null);
  const failure = await failureOf(
    carol.client.council.start.mutate({ conversationId: carol.conversationId, content: 'Hi' }),
  );
  expect(failure).toMatchObject({ code: 'PRECONDITION_FAILED', appCode: 'NO_API_KEY' });
  expect(failure.message).toMatch(/add yours in settings/i);
  expect(bed.upstream.requests).toHaveLength(0);
  const conversation = await carol.client.conversations.get.query({ id: carol.conversationId });
  expect(conversation.messages).toEqual([]);
});

test('a model or chairman outside the configured and catalogued set is BAD_REQUEST UNKNOWN_MODEL; a catalogued one is accepted (case 42)', async ({
  bed,
}) => {
  const { client, conversationId } = await signUpWithKey(bed.server);
  const unknownMember = await failureOf(
    client.council.start.mutate({ conversationId, content: 'Hi', models: ['test/alpha', 'evil/not-a-model'] }),
  );
  expect(unknownMember).toMatchObject({ code: 'BAD_REQUEST', appCode: 'UNKNOWN_MODEL' });
  expect(unknownMember.message).toContain('evil/not-a-model');
  const unknownChair = await failureOf(
    client.council.start.mutate({ conversationId, content: 'Hi', chairmanModel: 'evil/chair' }),
  );
  expect(unknownChair).toMatchObject({ code: 'BAD_REQUEST', appCode: 'UNKNOWN_MODEL' });
  expect(bed.upstream.requests).toHaveLength(0);
  expect((await client.conversations.get.query({ id: conversationId })).messages).toEqual([]);

  // The fake upstream's /models lists real ids such as openai/gpt-5.1: those may be chosen.
  const models = await client.council.models.query();
  expect(models.models.map((m) => m.id)).toContain('openai/gpt-5.1');
  const { runId } = await client.council.start.mutate({
    conversationId,
    content: 'Hi',
    models: ['openai/gpt-5.1', 'x-ai/grok-4'],
    chairmanModel: 'openai/gpt-5.1',
  });
  await waitForRunStatus(client, runId, ['completed']);
  expect(
    requestsOf(bed.upstream, 'stage1')
      .map((r) => r.model)
      .sort(),
  ).toEqual(['openai/gpt-5.1', 'x-ai/grok-4']);
});

test('a third concurrent run of one user is TOO_MANY_REQUESTS RUN_LIMIT_REACHED; others are unaffected and a slot frees on cancel', async ({
  bed,
}) => {
  for (const model of COUNCIL) bed.upstream.setBehavior(model, { hang: true });
  const { client, conversationId } = await signUpWithKey(bed.server);
  const first = await client.council.start.mutate({ conversationId, content: 'one' });
  const second = await client.council.start.mutate({ conversationId, content: 'two' });
  const refused = await failureOf(client.council.start.mutate({ conversationId, content: 'three' }));
  expect(refused).toMatchObject({ code: 'TOO_MANY_REQUESTS', appCode: 'RUN_LIMIT_REACHED' });
  expect(refused.message).toMatch(/limit is 2/);
  const conversation = await client.conversations.get.query({ id: conversationId });
  expect(conversation.messages.map((m) => m.content)).toEqual(['one', 'two']);

  const other = await signUpWithKey(bed.server);
  const theirs = await other.client.council.start.mutate({ conversationId: other.conversationId, content: 'mine' });

  await client.council.cancel.mutate({ runId: first.runId });
  await waitForRunStatus(client, first.runId, ['cancelled']);
  const third = await client.council.start.mutate({ conversationId, content: 'three' });

  for (const [owner, runId] of [
    [client, second.runId],
    [client, third.runId],
    [other.client, theirs.runId],
  ] as const) {
    await owner.council.cancel.mutate({ runId });
    await waitForRunStatus(owner, runId, ['cancelled']);
  }
  await waitUntil(() => bed.upstream.openRequests === 0, 1_000, 'hung requests to close');
});

test('a message of 100,001 characters is BAD_REQUEST naming the field; 100,000 characters are accepted', async ({
  bed,
}) => {
  const { client, conversationId } = await signUpWithKey(bed.server);
  const tooLong = await failureOf(client.council.start.mutate({ conversationId, content: 'x'.repeat(100_001) }));
  expect(tooLong.code).toBe('BAD_REQUEST');
  expect(tooLong.fieldErrors?.['content']?.join(' ')).toMatch(/100,000/);
  expect(bed.upstream.requests).toHaveLength(0);

  const { runId } = await client.council.start.mutate({ conversationId, content: 'y'.repeat(100_000) });
  await waitForRunStatus(client, runId, ['completed']);
  const [asked] = requestsOf(bed.upstream, 'stage1');
  expect(asked?.messages.at(-1)?.content).toHaveLength(100_000);
});

test('ten starts sent at once against a limit of two start exactly two runs; ten retries at once re-queue two', async ({
  bed,
}) => {
  for (const model of COUNCIL) bed.upstream.setBehavior(model, { hang: true });
  const { client, conversationId } = await signUpWithKey(bed.server);
  const starts = await Promise.allSettled(
    Array.from({ length: 10 }, (_, i) => client.council.start.mutate({ conversationId, content: `at once ${i}` })),
  );
  const started = starts.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value.runId] : []));
  expect(started).toHaveLength(2);
  const refusals = starts.flatMap((outcome) =>
    outcome.status === 'rejected' ? [(outcome.reason as { data?: { appCode?: string } }).data?.appCode] : [],
  );
  expect(refusals).toEqual(Array(8).fill('RUN_LIMIT_REACHED'));
  expect((await client.conversations.get.query({ id: conversationId })).messages).toHaveLength(2);

  for (const runId of started) {
    await client.council.cancel.mutate({ runId });
    await waitForRunStatus(client, runId, ['cancelled']);
  }
  // Two more cancelled runs, so four are retryable: parallel retries may still re-queue only two.
  const more = [];
  for (const content of ['later 1', 'later 2']) {
    const { runId } = await client.council.start.mutate({ conversationId, content });
    more.push(runId);
  }
  for (const runId of more) {
    await client.council.cancel.mutate({ runId });
    await waitForRunStatus(client, runId, ['cancelled']);
  }
  const retries = await Promise.allSettled(
    [...started, ...more, ...started, ...more, ...started].map((runId) => client.council.retry.mutate({ runId })),
  );
  expect(retries.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(2);
  const live = await Promise.all(
    [...started, ...more].map(async (runId) => (await client.council.get.query({ runId })).status),
  );
  expect(live.filter((status) => status === 'queued' || status === 'running')).toHaveLength(2);
  for (const runId of [...started, ...more]) await client.council.cancel.mutate({ runId });
  await waitUntil(() => bed.upstream.openRequests === 0, 2_000, 'hung requests to close');
});
