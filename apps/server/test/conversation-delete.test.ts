import { expect } from 'vitest';
import { councilTest } from './helpers/fixtures.js';
import {
  COUNCIL,
  TITLE_MODEL,
  requestsOf,
  signUpWithKey,
  sleep,
  waitForRunStatus,
  waitUntil,
  startBusyRun,
} from './helpers/council-harness.js';

// Issue 9, hole 4: deleting a conversation stops its live runs first. Before, the runs vanished by
// cascade while the executor went on streaming from every model (and its event writes failed).

const test = councilTest();

test('deleting a conversation mid-run closes every upstream request within a second and starts no further stage', async ({
  bed,
}) => {
  const { client, conversationId, runId } = await startBusyRun(bed, 'Delete me while you think');
  const logsBefore = bed.server.logs.length;

  await client.conversations.delete.mutate({ id: conversationId });
  const closedWithin = await waitUntil(() => bed.upstream.openRequests === 0, 1_000, 'upstream requests to close');
  expect(closedWithin).toBeLessThan(1_000);

  // Nothing else is asked of the provider afterwards: no review, no synthesis, no second attempt.
  const requestsAfterDelete = bed.upstream.requests.length;
  await sleep(500);
  expect(bed.upstream.requests.length).toBe(requestsAfterDelete);
  expect(requestsOf(bed.upstream, 'stage2')).toHaveLength(0);
  expect(requestsOf(bed.upstream, 'stage3')).toHaveLength(0);

  // The run is gone with its conversation, nothing crashed, and the server carries on.
  expect((await client.conversations.list.query({})).items.map((c) => c.id)).not.toContain(conversationId);
  const failure = await client.council.get.query({ runId }).then(
    () => null,
    (error: unknown) => (error as { data?: { code?: string } }).data?.code,
  );
  expect(failure).toBe('NOT_FOUND');
  const errors = bed.server.logs
    .slice(logsBefore)
    .map((line) => JSON.parse(line) as { level: number; msg: string })
    .filter((entry) => entry.level >= 40);
  expect(errors).toEqual([]);
});

test('deleting a conversation whose run has finished deletes it at once', async ({ bed }) => {
  const { client, conversationId } = await signUpWithKey(bed.server);
  const { runId } = await client.council.start.mutate({ conversationId, content: 'A quick one' });
  await waitForRunStatus(client, runId, ['completed']);
  await client.conversations.delete.mutate({ id: conversationId });
  expect((await client.conversations.list.query({})).items).toHaveLength(0);
});

test('a run whose rows vanish under it (deleted from another host) stops calling upstream at its next stored event', async ({
  bed,
}) => {
  const long = Array.from({ length: 400 }, (_, i) => `t${i}`).join(' ');
  const short = Array.from({ length: 30 }, (_, i) => `s${i}`).join(' ');
  const [first, ...others] = COUNCIL;
  bed.upstream.setBehavior(first, { tokenDelayMs: 25, reply: () => short });
  for (const model of others) bed.upstream.setBehavior(model, { tokenDelayMs: 25, reply: () => long });
  bed.upstream.setBehavior(TITLE_MODEL, { hang: true });
  const { client, conversationId } = await signUpWithKey(bed.server);
  await client.council.start.mutate({ conversationId, content: 'Vanish' });
  await waitUntil(() => bed.upstream.openRequests === 4, 5_000, 'four open upstream requests');

  // No cancel reaches this host: the rows simply disappear, as when a host that missed the run deletes them.
  await bed.server.db.deleteFrom('conversations').where('id', '=', conversationId).execute();
  // The short model finishes about a second in; its answer cannot be stored, and every other call stops.
  await waitUntil(() => bed.upstream.openRequests === 0, 4_000, 'upstream requests to close');
  expect(requestsOf(bed.upstream, 'stage2')).toHaveLength(0);
  const crashes = bed.server.logs.filter((line) => line.includes('council run crashed'));
  expect(crashes).toEqual([]);
});
