import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  COUNCIL,
  councilReply,
  followToEnd,
  signUpWithKey,
  startCouncilTestbed,
  type CouncilTestbed,
} from './helpers/council-harness.js';

// Deadlines come from the server's configuration: a hung model is cut at the soft deadline,
// marked late (its own event, stored with MODEL_LATE), and the run completes without it.

let bed: CouncilTestbed;

beforeAll(async () => {
  bed = await startCouncilTestbed({
    env: { COUNCIL_SOFT_DEADLINE_SECONDS: '1', COUNCIL_HARD_DEADLINE_SECONDS: '30' },
  });
});
afterAll(async () => {
  await bed.close();
});

const [ALPHA, BETA, GAMMA] = COUNCIL;

test('a model that never answers is marked late after the configured soft deadline; the run completes', async () => {
  bed.upstream.setBehavior(GAMMA, { hang: true, reply: councilReply() });
  const { client, conversationId } = await signUpWithKey(bed.server);
  const { runId } = await client.council.start.mutate({ conversationId, content: 'Is anyone late?' });
  const events = await followToEnd(client, runId);
  // Marked late by the 1 s soft deadline, not by the 30 s hard one (wide margins: a busy machine).
  const startedAt = Date.parse(events.find((e) => e.event.type === 'stage_started')!.at);
  const lateAt = Date.parse(events.find((e) => e.event.type === 'model_late')!.at);
  expect(lateAt - startedAt).toBeGreaterThanOrEqual(1_000);
  expect(lateAt - startedAt).toBeLessThan(15_000);

  expect(events.at(-1)?.event.type).toBe('run_completed');
  const late = events.filter((e) => e.event.type === 'model_late').map((e) => e.event);
  expect(late).toMatchObject([{ type: 'model_late', stage: 'stage1', model: GAMMA }]);
  expect(events.some((e) => e.event.type === 'model_completed' && e.event.model === GAMMA)).toBe(false);

  const run = await client.council.get.query({ runId });
  expect(run.stage1.find((s) => s.model === GAMMA)).toMatchObject({ status: 'failed', error: { code: 'MODEL_LATE' } });
  expect(run.stage2.map((r) => r.reviewer).sort()).toEqual([ALPHA, BETA].sort());
  expect(Object.values(run.labelToModel ?? {}).sort()).toEqual([ALPHA, BETA].sort());
});
