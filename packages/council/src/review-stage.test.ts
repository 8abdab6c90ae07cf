import { expect, onTestFinished, test } from 'vitest';
import { councilEventSchema, type CouncilEvent } from './events.js';
import type { CouncilMethod } from './council-method.js';
import { councilMethodScenario } from './fake-upstream/demo-catalog.js';
import { startFakeUpstream } from './fake-upstream/fake-upstream.server.js';
import type { FakeUpstreamOptions } from './fake-upstream/fake-upstream.types.js';
import { runCouncil, type RunCouncilInput } from './runner.js';
import { seededRandom } from './seeded-random.js';
import { createChatClient } from './upstream/chat-client.js';

const models = ['m/alpha', 'm/beta', 'm/gamma', 'm/delta'];

/** The real runner against the fake upstream, with scripted reviewers and a seeded random source. */
async function startCouncil(options: FakeUpstreamOptions = {}) {
  const upstream = await startFakeUpstream({ seed: 7, ...options });
  onTestFinished(() => upstream.close());
  const { chat } = createChatClient({ baseUrl: upstream.url, apiKey: 'k', sleep: () => Promise.resolve() });
  const events: CouncilEvent[] = [];
  const run = (input: Partial<RunCouncilInput> = {}, method: Partial<CouncilMethod> = {}) =>
    runCouncil(
      { question: 'Q?', history: [], models, chairmanModel: 'm/chair', attempt: 1, method, ...input },
      {
        chat,
        signal: new AbortController().signal,
        random: seededRandom(11),
        emit: (event) => {
          events.push(councilEventSchema.parse(event));
          return Promise.resolve();
        },
      },
    );
  const ofType = <T extends CouncilEvent['type']>(type: T) =>
    events.filter((e): e is Extract<CouncilEvent, { type: T }> => e.type === type);
  const reviewCalls = (model: string) =>
    upstream.requests.filter((r) => r.model === model && r.messages[0]?.content.includes('<<<BEGIN')).length;
  return { upstream, events, run, ofType, reviewCalls };
}

test('a reviewer that breaks the format gets exactly one repair ask, and its ranking then counts', async () => {
  const { upstream, run, ofType, reviewCalls } = await startCouncil();
  for (const model of models) upstream.setBehavior(model, { reviewer: {} });
  upstream.setBehavior('m/beta', { reviewer: { sloppyRate: 1 } });
  expect(await run()).toEqual({ status: 'completed' });
  const beta = ofType('review_completed').find((r) => r.reviewer === 'm/beta');
  expect(beta).toMatchObject({ repaired: true, rankingStatus: 'ok' });
  expect(beta?.parsedRanking).toHaveLength(4);
  expect(reviewCalls('m/beta')).toBe(2);
  expect(reviewCalls('m/alpha')).toBe(1);
  expect(ofType('review_completed').filter((r) => r.repaired)).toHaveLength(1);
});

test('a review cut off by the length limit is truncated, not complete, and is repaired', async () => {
  const { upstream, run, ofType, reviewCalls } = await startCouncil();
  for (const model of models) upstream.setBehavior(model, { reviewer: {} });
  upstream.setBehavior('m/gamma', { reviewer: { truncated: true } });
  await run();
  const gamma = ofType('review_completed').find((r) => r.reviewer === 'm/gamma');
  expect(gamma).toMatchObject({ repaired: true, rankingStatus: 'ok', finishReason: 'stop' });
  expect(reviewCalls('m/gamma')).toBe(2);
  const [review, repair] = upstream.requests.filter((r) => r.model === 'm/gamma' && r.messages.length > 0).slice(1);
  expect(review?.messages[0]?.content).toContain('There are 4 responses');
  expect(review).toMatchObject({ temperature: 0, maxTokens: 4_000 });
  expect(repair?.messages.at(-1)?.content).toContain('Reply with one line');
});

test('a self-loving reviewer ranks itself first, which is kept as selfRank and not counted', async () => {
  const { upstream, run, ofType } = await startCouncil();
  for (const model of models) upstream.setBehavior(model, { reviewer: {}, quality: 0.5 });
  // The worst answer, but its author thinks it is the best.
  upstream.setBehavior('m/delta', { reviewer: { bias: 'self-loving' }, quality: 0.1 });
  await run();
  expect(ofType('review_completed').find((r) => r.reviewer === 'm/delta')?.selfRank).toBe(1);
  const [ranked] = ofType('aggregate_ranked');
  const delta = ranked?.aggregate.find((row) => row.model === 'm/delta');
  expect(delta).toMatchObject({ selfRank: 1, votes: 3, score: 0, place: 4 });
  expect(ranked?.allVotes?.find((row) => row.model === 'm/delta')?.votes).toBe(4);
});

test('a model that never answers is marked late after the soft deadline and left out of review', async () => {
  const { upstream, run, ofType, events } = await startCouncil();
  upstream.setBehavior('m/delta', { hang: true });
  const startedAt = Date.now();
  expect(await run({}, { softDeadlineMs: 400, hardDeadlineMs: 20_000 })).toEqual({ status: 'completed' });
  // Stage 1 waits at most the soft deadline after the first answer; the rest is quick.
  expect(Date.now() - startedAt).toBeLessThan(400 + 1_000);
  expect(ofType('model_late').map((e) => [e.stage, e.model])).toEqual([['stage1', 'm/delta']]);
  expect(events.some((e) => e.type === 'model_completed' && e.model === 'm/delta')).toBe(false);
  const [ranked] = ofType('aggregate_ranked');
  expect(ranked?.aggregate.map((row) => row.votes)).toEqual([2, 2, 2]);
  expect(ranked?.aggregate.some((row) => row.model === 'm/delta')).toBe(false);
});

test('without two readable reviews, even after repair, the run fails in stage 2', async () => {
  const { upstream, run, events, reviewCalls } = await startCouncil();
  const prose = 'All of them are fine; I would not rank them.';
  for (const model of ['m/alpha', 'm/beta', 'm/gamma']) {
    upstream.setBehavior(model, { reply: (m) => (m[0]?.content.includes('<<<BEGIN') ? prose : `Answer of ${model}.`) });
  }
  expect(await run({ models: ['m/alpha', 'm/beta', 'm/gamma'] })).toEqual({ status: 'failed' });
  expect(events.at(-1)).toMatchObject({
    type: 'run_failed',
    stage: 'stage2',
    error: { code: 'COUNCIL_TOO_FEW_REVIEWS' },
  });
  expect(reviewCalls('m/alpha') + reviewCalls('m/beta') + reviewCalls('m/gamma')).toBe(6);
});

test('a retry keeps the labels, reading orders and completed reviews of the first attempt', async () => {
  const first = await startCouncil();
  // Chairman and stand-in both fail: stage 3 fails and a retry is possible.
  for (const model of models) first.upstream.setBehavior(model, { reviewer: {}, synthesisStatus: 500 });
  first.upstream.setBehavior('m/chair', { status: 500 });
  expect(await first.run()).toEqual({ status: 'failed' });
  const labelToModel = first.ofType('labels_assigned')[0]?.labelToModel ?? {};
  const reviews = Object.fromEntries(first.ofType('review_completed').map((r) => [r.reviewer, r]));
  const stage1 = Object.fromEntries(
    first.ofType('model_completed').map((e) => [e.model, { content: e.content, usage: e.usage }]),
  );

  const second = await startCouncil();
  expect(await second.run({ attempt: 2, previous: { stage1, reviews, labelToModel } })).toEqual({
    status: 'completed',
  });
  expect(second.upstream.requests.map((r) => r.model)).toEqual(['m/chair']);
  expect(second.ofType('labels_assigned')[0]?.labelToModel).toEqual(labelToModel);
  for (const review of second.ofType('review_completed')) {
    expect(review.shownOrder).toEqual(reviews[review.reviewer]?.shownOrder);
    expect(review.parsedRanking).toEqual(reviews[review.reviewer]?.parsedRanking);
  }
});

test('below quorum the soft deadline waits; the hard deadline ends the stage and the run names the late models', async () => {
  const { upstream, run, events } = await startCouncil();
  upstream.setBehavior('m/beta', { hang: true });
  upstream.setBehavior('m/gamma', { hang: true });
  const startedAt = Date.now();
  const models3 = ['m/alpha', 'm/beta', 'm/gamma'];
  expect(await run({ models: models3 }, { softDeadlineMs: 50, hardDeadlineMs: 600 })).toEqual({ status: 'failed' });
  expect(Date.now() - startedAt).toBeGreaterThanOrEqual(600);
  expect(events.at(-1)).toMatchObject({
    type: 'run_failed',
    stage: 'stage1',
    error: { code: 'COUNCIL_TOO_FEW_ANSWERS', message: expect.stringContaining('Late: m/beta, m/gamma.') as unknown },
  });
});

test('the council-method demo scenario yields a late model, a repaired review, a three-way tie and a close verdict', async () => {
  const { upstream, run, ofType } = await startCouncil();
  for (const [model, behavior] of Object.entries(councilMethodScenario)) upstream.setBehavior(model, behavior);
  const council = Object.keys(councilMethodScenario);
  expect(await run({ models: council }, { softDeadlineMs: 300 })).toEqual({ status: 'completed' });
  expect(ofType('model_late').map((e) => e.model)).toEqual(['x-ai/grok-4']);
  expect(ofType('review_completed').find((r) => r.reviewer === 'openai/gpt-5.1')?.repaired).toBe(true);
  const [ranked] = ofType('aggregate_ranked');
  expect(ranked?.aggregate.map((row) => row.place)).toEqual([1, 1, 1]);
  expect(ranked?.verdict).toMatchObject({ kind: 'close', models: expect.arrayContaining(council.slice(1)) as unknown });
});
