import { expect, onTestFinished, test } from 'vitest';
import { councilEventSchema, type CouncilEvent } from './events.js';
import { startFakeUpstream } from './fake-upstream/fake-upstream.server.js';
import { defaultReply } from './fake-upstream/fake-upstream.replies.js';
import { runCouncil, type RunCouncilInput } from './runner.js';
import { createChatClient } from './upstream/chat-client.js';

const models = ['m/alpha', 'm/beta', 'm/gamma'];
const question = 'How should I structure a monorepo?';

/** A fake upstream, a real client, and an emit that validates every event against the contract. */
async function startCouncil(options: { deltaIntervalMs?: number } = {}) {
  const upstream = await startFakeUpstream();
  onTestFinished(() => upstream.close());
  const { chat } = createChatClient({
    baseUrl: upstream.url,
    apiKey: 'sk-test',
    timeouts: { firstTokenMs: 1_000, idleMs: 1_000, totalMs: 5_000 },
    sleep: () => Promise.resolve(),
  });
  const events: CouncilEvent[] = [];
  /** When each event was emitted (performance.now()), index for index with `events`. */
  const emittedAt: number[] = [];
  const controller = new AbortController();
  const deps = {
    chat,
    signal: controller.signal,
    deltaIntervalMs: options.deltaIntervalMs ?? 100,
    emit: (event: CouncilEvent) => {
      events.push(councilEventSchema.parse(event));
      emittedAt.push(performance.now());
      return Promise.resolve();
    },
  };
  const run = (input: Partial<RunCouncilInput> = {}) =>
    runCouncil({ question, history: [], models, chairmanModel: 'm/chair', attempt: 1, ...input }, deps);
  return { upstream, events, emittedAt, controller, run, deps };
}

/** The event log without deltas, as compact strings that are easy to compare. */
function outline(events: CouncilEvent[]): string[] {
  return events
    .filter((e) => e.type !== 'model_delta')
    .map((e) => {
      if (e.type === 'review_completed') return `${e.type}:${e.reviewer}`;
      if ('model' in e && 'stage' in e) return `${e.type}:${e.stage}:${e.model}`;
      if ('stage' in e) return `${e.type}:${e.stage}`;
      return e.type;
    });
}

function deltasOf(events: CouncilEvent[], model: string): string[] {
  return events.flatMap((e) => (e.type === 'model_delta' && e.model === model ? [e.text] : []));
}

test('a full run emits every stage in order, streams answers and ends with run_completed', async () => {
  const { upstream, events, run } = await startCouncil();
  // Staggered latencies make the finishing order, and so the log, deterministic.
  models.forEach((model, i) => upstream.setBehavior(model, { latencyMs: i * 60 }));

  expect(await run({ titleModel: 'm/title' })).toEqual({ status: 'completed' });
  expect(outline(events).filter((line) => line !== 'title_completed')).toEqual([
    'run_started',
    'stage_started:stage1',
    'model_completed:stage1:m/alpha',
    'model_completed:stage1:m/beta',
    'model_completed:stage1:m/gamma',
    'stage_completed:stage1',
    'labels_assigned',
    'stage_started:stage2',
    'review_completed:m/alpha',
    'review_completed:m/beta',
    'review_completed:m/gamma',
    'aggregate_ranked',
    'stage_completed:stage2',
    'stage_started:stage3',
    'model_completed:stage3:m/chair',
    'stage_completed:stage3',
    'run_completed',
  ]);
  const titleAt = events.findIndex((e) => e.type === 'title_completed');
  expect(titleAt).toBeGreaterThan(0);
  expect(titleAt).toBeLessThan(events.length - 1);
  expect(events[titleAt]).toMatchObject({ type: 'title_completed', title: 'Structure Monorepo' });
});

test('each streamed answer is the concatenation of its deltas, which arrive before it completes', async () => {
  const { events, run } = await startCouncil();
  await run();
  for (const model of [...models, 'm/chair']) {
    const completed = events.find((e) => e.type === 'model_completed' && e.model === model);
    const firstDelta = events.findIndex((e) => e.type === 'model_delta' && e.model === model);
    expect(firstDelta).toBeGreaterThan(-1);
    expect(firstDelta).toBeLessThan(events.indexOf(completed!));
    expect(deltasOf(events, model).join('')).toBe(completed?.type === 'model_completed' && completed.content);
  }
});

test('stage 2 labels answers, every reviewer ranks all of them, and the aggregate counts every vote', async () => {
  const { upstream, events, run } = await startCouncil();
  // Stage-1 answers that do not name their model, so anonymity can be checked in the review prompt.
  for (const model of models) {
    upstream.setBehavior(model, {
      reply: (messages) =>
        messages.length === 1 && messages[0]?.content === question ? 'A plain answer.' : defaultReply(model, messages),
    });
  }
  await run();
  const labelsEvent = events.find((e) => e.type === 'labels_assigned');
  const labelToModel = labelsEvent?.type === 'labels_assigned' ? labelsEvent.labelToModel : {};
  expect(Object.keys(labelToModel).sort()).toEqual(['Response A', 'Response B', 'Response C']);
  expect(Object.values(labelToModel).sort()).toEqual(models);
  const reviews = events.filter((e) => e.type === 'review_completed');
  for (const review of reviews) {
    expect([...review.parsedRanking].sort()).toEqual(['Response A', 'Response B', 'Response C']);
    expect(review.rankingStatus).toBe('ok');
  }
  // Self-votes are set apart: each model is counted by the two other reviewers.
  const aggregate = events.find((e) => e.type === 'aggregate_ranked');
  expect(aggregate?.type === 'aggregate_ranked' && aggregate.aggregate.map((row) => row.votes)).toEqual([2, 2, 2]);
  // Reviewers see labels only, each in its own order; the chairman is told who is behind each label.
  const reviewPrompt = upstream.requests.find(
    (r) => r.model === 'm/alpha' && r.messages[0]?.content.includes('FINAL RANKING'),
  );
  expect(reviewPrompt?.messages[0]?.content).toMatch(
    /<<<BEGIN Response B \w+>>>\nA plain answer.\n<<<END Response B \w+>>>/,
  );
  expect(reviewPrompt?.messages[0]?.content).not.toMatch(/m\/(alpha|beta|gamma)/);
  for (let slot = 0; slot < 3; slot++) expect(new Set(reviews.map((r) => r.shownOrder?.[slot])).size).toBe(3);
  const chairPrompt = upstream.requests
    .find((r) => r.model === 'm/chair')
    ?.messages.map((m) => m.content)
    .join('\n');
  for (const [label, model] of Object.entries(labelToModel)) expect(chairPrompt).toContain(`- ${label} = ${model}`);
});

test('deltas are coalesced: the first at once, then at most one per interval', async () => {
  const { upstream, events, emittedAt, run } = await startCouncil({ deltaIntervalMs: 100 });
  const text = Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ');
  upstream.setBehavior('m/alpha', { text, tokenDelayMs: 10 });
  await run();
  const deltas = deltasOf(events, 'm/alpha');
  expect(deltas[0]).toBe('word0 ');
  expect(deltas.join('')).toBe(text);
  // 30 tokens ~10 ms apart, one event per 100 ms: a handful of events instead of 30. A slow
  // machine only widens the gaps, so the rule is checked on the gaps, not on a count.
  expect(deltas.length).toBeGreaterThanOrEqual(2);
  expect(deltas.length).toBeLessThan(15);
  const times = events.flatMap((e, i) => (e.type === 'model_delta' && e.model === 'm/alpha' ? [emittedAt[i]!] : []));
  // Every delta after the second waits for the interval since the one before (the last, flushed
  // when the answer ends, may come sooner).
  for (let i = 2; i < times.length - 1; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(80);
});

test('history reaches stage 1 as earlier turns', async () => {
  const { upstream, run } = await startCouncil();
  await run({ history: [{ question: 'What is pnpm?', answer: 'A package manager.' }] });
  const stage1 = upstream.requests.find((r) => r.model === 'm/alpha');
  expect(stage1?.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
  expect(stage1?.messages[1]?.content).toBe('A package manager.');
});

test('one failing model does not sink the run; it is reported and left out of review', async () => {
  const { upstream, events, run } = await startCouncil();
  upstream.setBehavior('m/beta', { status: 500 });
  expect(await run()).toEqual({ status: 'completed' });
  expect(events).toContainEqual({
    type: 'model_failed',
    stage: 'stage1',
    model: 'm/beta',
    error: { code: 'UPSTREAM_UNAVAILABLE', message: 'The model is unavailable right now.' },
  });
  const labels = events.find((e) => e.type === 'labels_assigned');
  expect(labels?.type === 'labels_assigned' && Object.values(labels.labelToModel).sort()).toEqual([
    'm/alpha',
    'm/gamma',
  ]);
  expect(upstream.requests.filter((r) => r.model === 'm/beta')).toHaveLength(1);
});

test('fewer than two answers fails the run in stage 1, naming every failed model and why', async () => {
  const { upstream, events, run } = await startCouncil();
  upstream.setBehavior('m/beta', { status: 402 });
  upstream.setBehavior('m/gamma', { text: '   ' });
  expect(await run()).toEqual({ status: 'failed' });
  const failure = events.at(-1);
  expect(failure).toMatchObject({ type: 'run_failed', stage: 'stage1', error: { code: 'COUNCIL_TOO_FEW_ANSWERS' } });
  const message = failure?.type === 'run_failed' ? failure.error.message : '';
  expect(message).toContain('m/beta: Your provider account is out of credit.');
  expect(message).toContain('m/gamma: The model returned an empty answer.');
  expect(outline(events)).not.toContain('labels_assigned');
  expect(upstream.requests.some((r) => r.model === 'm/chair')).toBe(false);
});

test('when every model fails for the same reason, the run keeps that reason code', async () => {
  const { upstream, events, run } = await startCouncil();
  for (const model of models) upstream.setBehavior(model, { status: 401 });
  await run();
  expect(events.at(-1)).toMatchObject({ type: 'run_failed', stage: 'stage1', error: { code: 'UPSTREAM_AUTH' } });
});

test('a failing chairman is replaced by the best-placed council member, who writes the synthesis', async () => {
  const { upstream, events, run } = await startCouncil();
  upstream.setBehavior('m/chair', { status: 503 });
  expect(await run()).toEqual({ status: 'completed' });
  const ranked = events.find((e) => e.type === 'aggregate_ranked');
  const best = ranked?.type === 'aggregate_ranked' ? ranked.aggregate[0]?.model : undefined;
  expect(models).toContain(best);
  expect(outline(events).slice(-5)).toEqual([
    'stage_started:stage3',
    'model_failed:stage3:m/chair',
    `model_completed:stage3:${best}`,
    'stage_completed:stage3',
    'run_completed',
  ]);
  // The stand-in got the chairman's prompt (every answer and review), streamed as stage 3.
  const synthesisRequest = upstream.requests.find(
    (r) => r.model === best && r.messages.some((m) => m.role === 'system' && /chairman/i.test(m.content)),
  );
  expect(synthesisRequest?.messages.map((m) => m.content).join('\n')).toContain('FINAL RANKING');
  expect(deltasOf(events, best!).length).toBeGreaterThan(0);
});

test('when the stand-in fails too, stage 3 fails with the chairman’s error and nobody else is asked', async () => {
  const { upstream, events, run } = await startCouncil();
  upstream.setBehavior('m/chair', { status: 503 });
  for (const model of models) upstream.setBehavior(model, { synthesisStatus: 500 });
  expect(await run()).toEqual({ status: 'failed' });
  const tail = outline(events).slice(-4);
  expect(tail[0]).toBe('stage_started:stage3');
  expect(tail[1]).toBe('model_failed:stage3:m/chair');
  expect(tail[2]).toMatch(/^model_failed:stage3:m\/(alpha|beta|gamma)$/u);
  expect(tail[3]).toBe('run_failed:stage3');
  expect(events.at(-1)).toMatchObject({ type: 'run_failed', stage: 'stage3', error: { code: 'UPSTREAM_UNAVAILABLE' } });
  expect(events.filter((e) => e.type === 'model_failed' && e.stage === 'stage3')).toHaveLength(2);
});

test('a failing title model is reported but the run still completes', async () => {
  const { upstream, events, run } = await startCouncil();
  upstream.setBehavior('m/title', { status: 400 });
  expect(await run({ titleModel: 'm/title' })).toEqual({ status: 'completed' });
  expect(outline(events)).toContain('model_failed:title:m/title');
  expect(outline(events)).not.toContain('title_completed');
});

test('cancelling stops the run promptly with run_cancelled and nothing after it', async () => {
  const { upstream, events, run, controller } = await startCouncil();
  for (const model of models) upstream.setBehavior(model, { hang: true });
  const pending = run({ titleModel: 'm/title' });
  await new Promise((resolve) => setTimeout(resolve, 150));
  const cancelledAt = Date.now();
  controller.abort();
  expect(await pending).toEqual({ status: 'cancelled' });
  expect(Date.now() - cancelledAt).toBeLessThan(300);
  expect(events.at(-1)).toEqual({ type: 'run_cancelled' });
  expect(events.some((e) => e.type === 'model_failed')).toBe(false);
  // The upstream sees every call hang up, so a provider that bills per token stops generating.
  await expect.poll(() => upstream.openRequests, { timeout: 1_000 }).toBe(0);
});

test('a chat that ignores the abort signal cannot delay cancellation', async () => {
  const { events, controller, deps } = await startCouncil();
  const stubborn = () => new Promise<never>(() => undefined);
  const pending = runCouncil(
    { question, history: [], models, chairmanModel: 'm/chair', attempt: 1 },
    { ...deps, chat: stubborn },
  );
  setTimeout(() => controller.abort(), 20);
  expect(await pending).toEqual({ status: 'cancelled' });
  expect(events.at(-1)).toEqual({ type: 'run_cancelled' });
});

test('a retry reuses completed stage-1 answers and asks only the missing model', async () => {
  const { upstream, events, run } = await startCouncil();
  const usage = { promptTokens: 10, completionTokens: 20, totalTokens: 30, cost: 0.001 };
  const previous = {
    stage1: { 'm/alpha': { content: 'Alpha said this.', usage }, 'm/beta': { content: 'Beta said that.', usage } },
  };
  expect(await run({ previous, attempt: 2 })).toEqual({ status: 'completed' });

  const stage1Requests = upstream.requests.filter((r) => r.messages.at(-1)?.content === question);
  expect(stage1Requests.map((r) => r.model)).toEqual(['m/gamma']);
  expect(events[0]).toMatchObject({ type: 'run_started', attempt: 2 });
  expect(events).toContainEqual({
    type: 'model_completed',
    stage: 'stage1',
    model: 'm/alpha',
    content: 'Alpha said this.',
    usage,
    durationMs: 0,
  });
  // A fresh answer joined the council, so every reviewer has to judge the new set.
  expect(upstream.requests.filter((r) => r.messages[0]?.content.includes('FINAL RANKING'))).toHaveLength(3);
});

test('a retry after a chairman failure reuses stage 1 and stage 2 and only asks the chairman', async () => {
  const { upstream, events, run } = await startCouncil();
  const labelToModel = { 'Response A': 'm/alpha', 'Response B': 'm/beta' };
  const review = (ranking: string[]) => ({
    content: `FINAL RANKING:\n1. ${ranking[0]}\n2. ${ranking[1]}`,
    parsedRanking: ranking,
    usage: null,
  });
  const previous = {
    stage1: { 'm/alpha': { content: 'Alpha.', usage: null }, 'm/beta': { content: 'Beta.', usage: null } },
    reviews: { 'm/alpha': review(['Response A', 'Response B']), 'm/beta': review(['Response A', 'Response B']) },
    labelToModel,
  };
  expect(await run({ models: ['m/alpha', 'm/beta'], previous, attempt: 2 })).toEqual({ status: 'completed' });
  expect(upstream.requests.map((r) => r.model)).toEqual(['m/chair']);
  expect(events.find((e) => e.type === 'labels_assigned')).toEqual({ type: 'labels_assigned', labelToModel });
  const aggregate = events.find((e) => e.type === 'aggregate_ranked');
  // Two models: each peer ballot holds one answer, which ranks nothing; the all-votes view still shows them.
  expect(aggregate?.type === 'aggregate_ranked' && aggregate.aggregate).toEqual([]);
  expect(aggregate?.type === 'aggregate_ranked' && aggregate.allVotes?.map((r) => [r.model, r.place])).toEqual([
    ['m/alpha', 1],
    ['m/beta', 2],
  ]);
});

test('an emit failure fails the run loudly and stops further events', async () => {
  const { deps, controller } = await startCouncil();
  const emitted: string[] = [];
  const broken = new Error('database is gone');
  const emit = (event: CouncilEvent) => {
    if (event.type === 'stage_completed') return Promise.reject(broken);
    emitted.push(event.type);
    return Promise.resolve();
  };
  await expect(
    runCouncil({ question, history: [], models, chairmanModel: 'm/chair', attempt: 1 }, { ...deps, emit }),
  ).rejects.toBe(broken);
  expect(emitted).not.toContain('labels_assigned');
  expect(emitted).not.toContain('run_failed');
  controller.abort();
});
