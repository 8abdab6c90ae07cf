import type { FakeBehavior } from '@llm-council/council/fake-upstream';
import { expect } from 'vitest';
import { councilTest } from './helpers/fixtures.js';
import {
  CHAIRMAN,
  COUNCIL,
  TITLE_MODEL,
  councilReply,
  followToEnd,
  requestsOf,
  signUpWithKey,
  type CouncilTestbed,
} from './helpers/council-harness.js';

// Upstream faults (cases 45 and 46): one model misbehaving must not sink the council; auth and
// credit failures are never retried and read clearly; too few answers and a failed chairman
// end the run as failed, and `council.retry` finishes the latter without asking stage 1 again.

// Short enough that a hanging model costs the test under a second, long enough for healthy ones.
const FIRST_TOKEN_TIMEOUT_MS = 800;

const [ALPHA, BETA, GAMMA] = COUNCIL;
const scripted = councilReply();

/** Far above every scripted answer here; one test sends a longer one. */
const MAX_ANSWER_CHARS = 2_000;

const test = councilTest({
  env: { UPSTREAM_MAX_ANSWER_CHARS: String(MAX_ANSWER_CHARS) },
  upstreamTimeouts: { firstTokenMs: FIRST_TOKEN_TIMEOUT_MS, idleMs: FIRST_TOKEN_TIMEOUT_MS, totalMs: 15_000 },
});

/** Asks a question with `gamma` misbehaving as described, and follows the run to its end. */
async function askWithFaultyGamma(bed: CouncilTestbed, behavior: FakeBehavior) {
  bed.upstream.setBehavior(GAMMA, { tokenDelayMs: 1, reply: scripted, ...behavior });
  const { client, conversationId } = await signUpWithKey(bed.server);
  const { runId } = await client.council.start.mutate({
    conversationId,
    content: 'Does one bad model sink the council?',
  });
  const events = await followToEnd(client, runId);
  const run = await client.council.get.query({ runId });
  return { client, runId, events, run };
}

/** The run finished with alpha and beta alone; gamma's failure is recorded with `code`. */
function expectCompletedWithoutGamma(
  bed: CouncilTestbed,
  outcome: Awaited<ReturnType<typeof askWithFaultyGamma>>,
  code: string,
) {
  const { events, run } = outcome;
  expect(events.at(-1)?.event.type).toBe('run_completed');
  const failure = events.find((e) => e.event.type === 'model_failed')?.event;
  expect(failure).toMatchObject({ type: 'model_failed', stage: 'stage1', model: GAMMA, error: { code } });
  expect(events.filter((e) => e.event.type === 'model_failed')).toHaveLength(1);

  expect(run.status).toBe('completed');
  expect(run.stage1.map((s) => [s.model, s.status])).toEqual([
    [ALPHA, 'completed'],
    [BETA, 'completed'],
    [GAMMA, 'failed'],
  ]);
  const gamma = run.stage1.find((s) => s.model === GAMMA);
  expect(gamma?.content).toBeNull();
  expect(gamma?.error?.code).toBe(code);
  expect(gamma?.error?.message.length).toBeGreaterThan(10);
  // Only the two answers are reviewed, by the two models that answered.
  expect(Object.values(run.labelToModel ?? {}).sort()).toEqual([ALPHA, BETA].sort());
  expect(run.stage2.map((r) => r.reviewer)).toEqual([ALPHA, BETA]);
  expect(run.stage3?.status).toBe('completed');
  expect(requestsOf(bed.upstream, 'stage2', GAMMA)).toHaveLength(0);
}

test('a model answering 500 fails alone: the council completes with the others and records UPSTREAM_UNAVAILABLE', async ({
  bed,
}) => {
  const outcome = await askWithFaultyGamma(bed, { status: 500 });
  expectCompletedWithoutGamma(bed, outcome, 'UPSTREAM_UNAVAILABLE');
  expect(requestsOf(bed.upstream, 'stage1', GAMMA)).toHaveLength(1); // 500 is not retried
});

test('a model answering 429 once is retried after its Retry-After and its answer is used', async ({ bed }) => {
  const { events, run } = await askWithFaultyGamma(bed, { status: 429, failTimes: 1, retryAfterSec: 1 });
  expect(events.at(-1)?.event.type).toBe('run_completed');
  expect(events.some((e) => e.event.type === 'model_failed')).toBe(false);
  expect(run.stage1.map((s) => s.status)).toEqual(['completed', 'completed', 'completed']);
  const attempts = requestsOf(bed.upstream, 'stage1', GAMMA);
  expect(attempts).toHaveLength(2);
  expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(950);
  expect(Object.values(run.labelToModel ?? {}).sort()).toEqual([ALPHA, BETA, GAMMA].sort());
});

test('a model that keeps answering 429 with a long Retry-After fails as rate-limited without holding the run', async ({
  bed,
}) => {
  const startedAt = Date.now();
  const outcome = await askWithFaultyGamma(bed, { status: 429, retryAfterSec: 3600 });
  expectCompletedWithoutGamma(bed, outcome, 'UPSTREAM_RATE_LIMITED');
  expect(requestsOf(bed.upstream, 'stage1', GAMMA)).toHaveLength(1);
  expect(Date.now() - startedAt).toBeLessThan(10_000);
});

test('a model answering past UPSTREAM_MAX_ANSWER_CHARS is stopped and fails alone as UPSTREAM_TOO_LONG (hole 10)', async ({
  bed,
}) => {
  const endless = 'word '.repeat(MAX_ANSWER_CHARS);
  const outcome = await askWithFaultyGamma(bed, { reply: () => endless });
  expectCompletedWithoutGamma(bed, outcome, 'UPSTREAM_TOO_LONG');
  // Stopped at the limit: no more than that reached anyone, and it was not asked twice.
  const streamed = outcome.events
    .filter((e) => e.event.type === 'model_delta' && e.event.model === GAMMA)
    .map((e) => (e.event.type === 'model_delta' ? e.event.text : ''))
    .join('');
  expect(streamed.length).toBeLessThanOrEqual(MAX_ANSWER_CHARS);
  expect(requestsOf(bed.upstream, 'stage1', GAMMA)).toHaveLength(1);
});

test('a model that hangs past the first-token timeout fails as UPSTREAM_TIMEOUT and its request is closed', async ({
  bed,
}) => {
  const startedAt = Date.now();
  const outcome = await askWithFaultyGamma(bed, { hang: true });
  expectCompletedWithoutGamma(bed, outcome, 'UPSTREAM_TIMEOUT');
  const [hung] = requestsOf(bed.upstream, 'stage1', GAMMA);
  const stage1Done = outcome.events.find((e) => e.event.type === 'stage_completed')!;
  expect(Date.parse(stage1Done.at) - hung!.at).toBeGreaterThanOrEqual(FIRST_TOKEN_TIMEOUT_MS - 50);
  expect(Date.now() - startedAt).toBeLessThan(10_000);
  expect(bed.upstream.openRequests).toBe(0);
});

test('a model whose stream carries an error chunk mid-answer fails as UPSTREAM_STREAM_ERROR after its partial deltas', async ({
  bed,
}) => {
  const outcome = await askWithFaultyGamma(bed, { midStreamError: true });
  expectCompletedWithoutGamma(bed, outcome, 'UPSTREAM_STREAM_ERROR');
  const gammaDeltas = outcome.events.filter((e) => e.event.type === 'model_delta' && e.event.model === GAMMA);
  expect(gammaDeltas.length).toBeGreaterThan(0); // text had started: no retry, so no answer shown twice
  expect(requestsOf(bed.upstream, 'stage1', GAMMA)).toHaveLength(1);
});

test('a model sending a malformed SSE chunk fails as UPSTREAM_MALFORMED', async ({ bed }) => {
  const outcome = await askWithFaultyGamma(bed, { malformedChunk: true });
  expectCompletedWithoutGamma(bed, outcome, 'UPSTREAM_MALFORMED');
});

/** Every model (council, chairman, title) answers with `status`. */
async function askWithEveryModelFailing(bed: CouncilTestbed, status: number) {
  for (const model of [...COUNCIL, CHAIRMAN, TITLE_MODEL]) bed.upstream.setBehavior(model, { status });
  const { client, conversationId } = await signUpWithKey(bed.server);
  const { runId } = await client.council.start.mutate({ conversationId, content: 'Will my key work?' });
  const events = await followToEnd(client, runId);
  const run = await client.council.get.query({ runId });
  return { events, run };
}

function expectOneRequestPerModel(bed: CouncilTestbed): void {
  for (const model of COUNCIL) expect(requestsOf(bed.upstream, 'stage1', model)).toHaveLength(1);
  expect(requestsOf(bed.upstream, 'title', TITLE_MODEL)).toHaveLength(1);
  expect(requestsOf(bed.upstream, 'stage2')).toHaveLength(0);
  expect(requestsOf(bed.upstream, 'stage3')).toHaveLength(0);
}

test('upstream 401 is not retried and the user reads that the key was rejected (case 46)', async ({ bed }) => {
  const { events, run } = await askWithEveryModelFailing(bed, 401);
  expectOneRequestPerModel(bed);
  const failed = events.at(-1)?.event;
  expect(failed).toMatchObject({ type: 'run_failed', stage: 'stage1', error: { code: 'UPSTREAM_AUTH' } });
  expect(failed?.type === 'run_failed' && failed.error.message).toMatch(/your OpenRouter key was rejected/i);
  expect(run.status).toBe('failed');
  expect(run.error).toMatchObject({ code: 'UPSTREAM_AUTH', stage: 'stage1' });
  for (const answer of run.stage1) {
    expect(answer.status).toBe('failed');
    expect(answer.error?.message).toMatch(/your OpenRouter key was rejected/i);
  }
});

test('upstream 402 is not retried and the user reads that the account is out of credit (case 46)', async ({ bed }) => {
  const { events, run } = await askWithEveryModelFailing(bed, 402);
  expectOneRequestPerModel(bed);
  const failed = events.at(-1)?.event;
  expect(failed).toMatchObject({ type: 'run_failed', stage: 'stage1', error: { code: 'UPSTREAM_NO_CREDIT' } });
  expect(failed?.type === 'run_failed' && failed.error.message).toMatch(/your OpenRouter account is out of credit/i);
  expect(run.error).toMatchObject({ code: 'UPSTREAM_NO_CREDIT' });
  expect(run.stage1.every((s) => /out of credit/i.test(s.error?.message ?? ''))).toBe(true);
});

test('with fewer than two stage-1 answers the run fails and names every failed model with its reason', async ({
  bed,
}) => {
  bed.upstream.setBehavior(ALPHA, { status: 500 });
  bed.upstream.setBehavior(BETA, { tokenDelayMs: 1, reply: scripted, midStreamError: true });
  const { client, conversationId } = await signUpWithKey(bed.server);
  const { runId } = await client.council.start.mutate({ conversationId, content: 'Is anyone there?' });
  const events = await followToEnd(client, runId);

  const failed = events.at(-1)?.event;
  expect(failed).toMatchObject({ type: 'run_failed', stage: 'stage1', error: { code: 'COUNCIL_TOO_FEW_ANSWERS' } });
  const message = failed?.type === 'run_failed' ? failed.error.message : '';
  expect(message).toContain(`${ALPHA}: The model is unavailable right now.`);
  expect(message).toContain(`${BETA}: The model stopped with an error while answering.`);
  expect(message).toMatch(/only 1 of 3/i);

  const run = await client.council.get.query({ runId });
  expect(run.status).toBe('failed');
  expect(run.error).toMatchObject({ code: 'COUNCIL_TOO_FEW_ANSWERS', stage: 'stage1' });
  expect(run.stage1.map((s) => [s.model, s.status])).toEqual([
    [ALPHA, 'failed'],
    [BETA, 'failed'],
    [GAMMA, 'completed'],
  ]);
  expect(run.stage2).toEqual([]);
  expect(run.stage3).toBeNull();
  expect(requestsOf(bed.upstream, 'stage2')).toHaveLength(0);
  expect(requestsOf(bed.upstream, 'stage3')).toHaveLength(0);
  const conversation = await client.conversations.get.query({ id: conversationId });
  expect(conversation.messages.map((m) => m.role)).toEqual(['user']); // no error text posing as an answer
});

test('a failed chairman whose stand-in fails too leaves a failed stage 3, and council.retry finishes it reusing the stage-1 answers and reviews', async ({
  bed,
}) => {
  bed.upstream.setBehavior(CHAIRMAN, { status: 500 });
  for (const model of COUNCIL) bed.upstream.setBehavior(model, { synthesisStatus: 500 });
  const { client, conversationId } = await signUpWithKey(bed.server);
  const { runId } = await client.council.start.mutate({ conversationId, content: 'Who chairs the chairman?' });
  const first = await followToEnd(client, runId);

  expect(first.at(-1)?.event).toMatchObject({
    type: 'run_failed',
    stage: 'stage3',
    error: { code: 'UPSTREAM_UNAVAILABLE' },
  });
  const failedRun = await client.council.get.query({ runId });
  expect(failedRun.status).toBe('failed');
  expect(failedRun.stage3).toMatchObject({ model: CHAIRMAN, status: 'failed', content: null });
  expect(failedRun.stage3?.error?.message).toBeTruthy();
  expect((await client.conversations.get.query({ id: conversationId })).messages.map((m) => m.role)).toEqual(['user']);
  const stage1Before = requestsOf(bed.upstream, 'stage1').length;
  const stage2Before = requestsOf(bed.upstream, 'stage2').length;

  bed.upstream.setBehavior(CHAIRMAN, {});
  expect(await client.council.retry.mutate({ runId })).toEqual({ runId });
  const second = await followToEnd(client, runId, { lastEventId: String(first.at(-1)?.seq) });

  expect(second[0]?.event).toMatchObject({ type: 'run_started', attempt: 2 });
  expect(second.at(-1)?.event.type).toBe('run_completed');
  // Stage 1 and the reviews were reused (replayed with durationMs 0), not asked again.
  expect(requestsOf(bed.upstream, 'stage1')).toHaveLength(stage1Before);
  expect(requestsOf(bed.upstream, 'stage2')).toHaveLength(stage2Before);
  expect(requestsOf(bed.upstream, 'stage3', CHAIRMAN)).toHaveLength(2);
  const reused = second.filter((e) => e.event.type === 'model_completed' && e.event.stage === 'stage1');
  expect(reused.map((e) => (e.event.type === 'model_completed' ? e.event.durationMs : -1))).toEqual([0, 0, 0]);

  const finished = await client.council.get.query({ runId });
  expect(finished).toMatchObject({ status: 'completed', attempt: 2, error: null });
  expect(finished.stage1).toEqual(failedRun.stage1.map((s) => ({ ...s })));
  expect(finished.stage2.map((r) => [r.reviewer, r.content])).toEqual(
    failedRun.stage2.map((r) => [r.reviewer, r.content]),
  );
  expect(finished.stage3).toMatchObject({ status: 'completed', content: expect.any(String) as string });
  const conversation = await client.conversations.get.query({ id: conversationId });
  expect(conversation.messages.map((m) => [m.role, m.content])).toEqual([
    ['user', 'Who chairs the chairman?'],
    ['assistant', finished.stage3?.content],
  ]);

  // A completed run is not retried again.
  await expect(client.council.retry.mutate({ runId })).rejects.toMatchObject({
    data: { code: 'CONFLICT', appCode: 'RUN_NOT_RETRYABLE' },
  });
});
