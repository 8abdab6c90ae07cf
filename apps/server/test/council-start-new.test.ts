import { expect } from 'vitest';
import { councilTest } from './helpers/fixtures.js';
import { COUNCIL, signUpWithKey, waitForRunStatus, waitUntil } from './helpers/council-harness.js';
import { failureOf } from './helpers/http.js';

// Issue 19 §3: the first question of a new conversation creates the conversation and the run in
// one transaction (`council.start` with `newConversation`). A refused start leaves nothing.

const test = councilTest({ env: { MAX_CONCURRENT_RUNS_PER_USER: '2' } });

const conversationCount = async (client: Awaited<ReturnType<typeof signUpWithKey>>['client']) =>
  (await client.conversations.list.query({})).items.length;

test('ask(null, …) creates the conversation with its run and council, and reports its id', async ({ bed }) => {
  const { client } = await signUpWithKey(bed.server);
  const before = await conversationCount(client);
  let runId: string | undefined;
  let conversationId = '';
  const events: string[] = [];
  for await (const { event } of client.ask(null, 'A brand new question', {
    models: [COUNCIL[0], COUNCIL[1]],
    onStarted: (id, startedIn) => {
      runId = id;
      conversationId = startedIn;
    },
  }))
    events.push(event.type);

  expect(events.at(-1)).toBe('run_completed');
  const conversation = await client.conversations.get.query({ id: conversationId });
  expect(conversation.models).toEqual([COUNCIL[0], COUNCIL[1]]);
  expect(conversation.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
  expect(conversation.runs.map((r) => r.id)).toEqual([runId]);
  expect(await conversationCount(client)).toBe(before + 1);
});

test('a refused first question (unknown model, empty text, no API key) leaves no conversation behind', async ({
  bed,
}) => {
  const { client } = await signUpWithKey(bed.server);
  const before = await conversationCount(client);

  const unknown = await failureOf(
    client.council.start.mutate({ newConversation: {}, content: 'Hi', models: ['nobody/none', COUNCIL[0]] }),
  );
  expect(unknown.code).toBe('BAD_REQUEST');
  const empty = await failureOf(client.council.start.mutate({ newConversation: {}, content: '   ' }));
  expect(empty.code).toBe('BAD_REQUEST');
  expect(await conversationCount(client)).toBe(before);

  const keyless = await signUpWithKey(bed.server, null);
  const beforeKeyless = await conversationCount(keyless.client);
  const noKey = await failureOf(keyless.client.council.start.mutate({ newConversation: {}, content: 'Hi' }));
  expect(noKey.appCode).toBe('NO_API_KEY');
  expect(await conversationCount(keyless.client)).toBe(beforeKeyless);
});

test('six first questions at once over a limit of two live runs: two conversations, nothing for the refused four', async ({
  bed,
}) => {
  // Every model streams slowly, so the first two runs are still live when the others arrive.
  const long = Array.from({ length: 300 }, (_, i) => `w${i}`).join(' ');
  for (const model of COUNCIL) bed.upstream.setBehavior(model, { tokenDelayMs: 20, reply: () => long });
  const { client } = await signUpWithKey(bed.server);
  const before = await conversationCount(client);

  const starts = Array.from({ length: 6 }, (_, i) =>
    client.council.start.mutate({ newConversation: {}, content: `question ${i}` }),
  );
  const outcomes = await Promise.allSettled(starts);
  const started = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
  const refused = await Promise.all(starts.filter((_, i) => outcomes[i]?.status === 'rejected').map(failureOf));
  expect(started).toHaveLength(2);
  expect(refused.map((f) => f.appCode)).toEqual(Array(4).fill('RUN_LIMIT_REACHED'));
  expect(new Set(started.map((s) => s.conversationId)).size).toBe(2);
  expect(await conversationCount(client)).toBe(before + 2);

  for (const { runId } of started) await client.council.cancel.mutate({ runId });
  for (const { runId } of started) await waitForRunStatus(client, runId, ['cancelled']);
  await waitUntil(() => bed.upstream.openRequests === 0, 5_000, 'upstream requests closed');
});
