import { expect } from 'vitest';
import { councilTest } from './helpers/fixtures.js';
import { failureOf } from './helpers/http.js';
import { COUNCIL, followToEnd, questionOf, signUpWithKey } from './helpers/council-harness.js';

// Whose key reaches the upstream (cases 33 and 34) on a server whose operator set a fallback
// OPENROUTER_API_KEY: a user's own key always wins, the server key serves only users without one,
// and an unreadable user key is never silently replaced by the server's.

const SERVER_KEY = 'sk-or-v1-operator-fallback-key-0000';

// SERVER_KEY_USERS=all: who may spend the server key is operator-spend.test.ts's subject.
const test = councilTest({ env: { OPENROUTER_API_KEY: SERVER_KEY, SERVER_KEY_USERS: 'all' } });

test('a user without a key of their own runs the council on the server key when the operator set one (case 33)', async ({
  bed,
}) => {
  const carol = await signUpWithKey(bed.server, null);
  const { runId } = await carol.client.council.start.mutate({
    conversationId: carol.conversationId,
    content: 'On the house?',
  });
  const events = await followToEnd(carol.client, runId);
  expect(events.at(-1)?.event.type).toBe('run_completed');
  expect(bed.upstream.requests.length).toBeGreaterThanOrEqual(COUNCIL.length * 2 + 2);
  expect(bed.upstream.requests.every((r) => r.authorization === `Bearer ${SERVER_KEY}`)).toBe(true);
  const providers = await carol.client.settings.providers.query();
  expect(providers).toContainEqual({ id: 'openrouter', label: 'OpenRouter', hasServerKey: true });
});

test('concurrent runs of different users each reach the upstream with exactly that user’s key, never another’s or the server’s (case 34)', async ({
  bed,
}) => {
  const users = await Promise.all([
    signUpWithKey(bed.server),
    signUpWithKey(bed.server),
    signUpWithKey(bed.server, null),
  ]);
  const questions = users.map((_, i) => `Question of user ${i}: ${crypto.randomUUID()}`);
  const runs = await Promise.all(
    users.map(async (user, i) => {
      const { runId } = await user.client.council.start.mutate({
        conversationId: user.conversationId,
        content: questions[i]!,
      });
      return followToEnd(user.client, runId);
    }),
  );
  expect(runs.map((events) => events.at(-1)?.event.type)).toEqual(['run_completed', 'run_completed', 'run_completed']);

  const [first, second] = users;
  const expectedKey = [`Bearer ${first.apiKey}`, `Bearer ${second.apiKey}`, `Bearer ${SERVER_KEY}`];
  for (const request of bed.upstream.requests) {
    const owner = questions.findIndex((q) => questionOf(request) === q);
    expect(owner, `request for ${request.model} belongs to one of the runs`).toBeGreaterThanOrEqual(0);
    expect(request.authorization).toBe(expectedKey[owner]);
  }
  // Every stage of every run was seen: 3 answers, 3 reviews, a chairman and a title each.
  expect(bed.upstream.requests).toHaveLength(3 * 8);
});

test('an unreadable user key is API_KEY_UNREADABLE even though a server key exists: never a silent switch to the server key (case 31)', async ({
  bed,
}) => {
  const dave = await signUpWithKey(bed.server);
  await bed.server.db
    .updateTable('userApiKeys')
    .set({ encryptedKey: 'v1.k1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' })
    .where('userId', '=', dave.userId)
    .execute();
  const failure = await failureOf(
    dave.client.council.start.mutate({ conversationId: dave.conversationId, content: 'Hi' }),
  );
  expect(failure).toMatchObject({ code: 'PRECONDITION_FAILED', appCode: 'API_KEY_UNREADABLE' });
  expect(bed.upstream.requests).toHaveLength(0);

  // Once they delete the broken key, the server key applies.
  await dave.client.settings.deleteApiKey.mutate({ provider: 'openrouter' });
  const { runId } = await dave.client.council.start.mutate({ conversationId: dave.conversationId, content: 'Hi' });
  await followToEnd(dave.client, runId);
  expect(bed.upstream.requests.every((r) => r.authorization === `Bearer ${SERVER_KEY}`)).toBe(true);
});
