import { expect, onTestFinished, test } from 'vitest';
import { councilEventSchema, type CouncilEvent } from './events.js';
import { startFakeUpstream } from './fake-upstream/fake-upstream.server.js';
import type { RecordedRequest } from './fake-upstream/fake-upstream.types.js';
import { estimateRunTokens } from './run-estimate.js';
import { runCouncil, type RunCouncilInput } from './runner.js';
import { createChatClient } from './upstream/chat-client.js';

const models = ['m/alpha', 'm/beta', 'm/gamma'];
const question = 'How should I structure a monorepo?';

async function startCouncil() {
  const upstream = await startFakeUpstream();
  onTestFinished(() => upstream.close());
  const { chat } = createChatClient({
    baseUrl: upstream.url,
    apiKey: 'sk-test',
    timeouts: { firstTokenMs: 1_000, idleMs: 1_000, totalMs: 5_000 },
    sleep: () => Promise.resolve(),
  });
  const events: CouncilEvent[] = [];
  const deps = {
    chat,
    signal: new AbortController().signal,
    emit: (event: CouncilEvent) => {
      events.push(councilEventSchema.parse(event));
      return Promise.resolve();
    },
  };
  const run = (input: Partial<RunCouncilInput> = {}) =>
    runCouncil({ question, history: [], models, chairmanModel: 'm/chair', attempt: 1, ...input }, deps);
  return { upstream, events, run };
}

const isTitle = (r: RecordedRequest) => r.messages.some((m) => m.content.includes('short title'));
const isChairman = (r: RecordedRequest) =>
  r.messages.some((m) => m.role === 'system' && m.content.includes('chairman'));
// The chairman's prompt quotes the reviews, FINAL RANKING lines included.
const isReview = (r: RecordedRequest) => !isChairman(r) && r.messages.some((m) => m.content.includes('FINAL RANKING'));

test('answers mode with one model makes exactly one upstream call plus the title, and completes', async () => {
  const { upstream, events, run } = await startCouncil();

  expect(await run({ mode: 'answers', models: ['m/alpha'], titleModel: 'm/title' })).toEqual({ status: 'completed' });
  expect(upstream.requests.map((r) => r.model).sort()).toEqual(['m/alpha', 'm/title']);
  expect(events[0]).toMatchObject({ type: 'run_started', mode: 'answers' });
  expect(events.at(-1)).toEqual({ type: 'run_completed', answerModel: 'm/alpha' });
  const types = events.map((e) => e.type);
  expect(types).not.toContain('labels_assigned');
  expect(types).not.toContain('review_completed');
  expect(events.some((e) => e.type === 'stage_started' && e.stage !== 'stage1')).toBe(false);
});

test('answers mode fails only when no model answered, saying one answer is needed', async () => {
  const { upstream, events, run } = await startCouncil();
  upstream.setBehavior('m/alpha', { status: 400 });

  expect(await run({ mode: 'answers', models: ['m/alpha', 'm/beta'] })).toEqual({ status: 'completed' });
  expect(events.at(-1)).toEqual({ type: 'run_completed', answerModel: 'm/beta' });

  upstream.setBehavior('m/beta', { status: 400 });
  events.length = 0;
  expect(await run({ mode: 'answers', models: ['m/alpha', 'm/beta'] })).toEqual({ status: 'failed' });
  const failed = events.at(-1);
  expect(failed?.type === 'run_failed' && failed.error.message).toContain('at least 1 is needed');
});

test('ranked mode reviews but never calls the chairman, and names the top-ranked answer', async () => {
  const { upstream, events, run } = await startCouncil();

  expect(await run({ mode: 'ranked' })).toEqual({ status: 'completed' });
  expect(upstream.requests.filter(isChairman)).toHaveLength(0);
  expect(upstream.requests.filter(isReview)).toHaveLength(3);
  expect(upstream.requests).toHaveLength(6);
  const aggregate = events.find((e) => e.type === 'aggregate_ranked');
  const top = aggregate?.type === 'aggregate_ranked' ? aggregate.aggregate[0]?.model : undefined;
  expect(top).toBeDefined();
  expect(events.at(-1)).toEqual({ type: 'run_completed', answerModel: top });
  expect(events.some((e) => e.type === 'stage_started' && e.stage === 'stage3')).toBe(false);
});

test('instructions are the system message of answers and chairman; reviewers get them as framed context only', async () => {
  const { upstream, run } = await startCouncil();
  const instructions = 'Answer as a senior SRE; be brief.';

  expect(await run({ instructions, titleModel: 'm/title' })).toEqual({ status: 'completed' });
  const answers = upstream.requests.filter((r) => !isTitle(r) && !isReview(r) && !isChairman(r));
  expect(answers).toHaveLength(3);
  for (const request of answers) expect(request.messages[0]).toEqual({ role: 'system', content: instructions });

  const chairman = upstream.requests.filter(isChairman);
  expect(chairman).toHaveLength(1);
  expect(chairman[0]?.messages[0]?.content).toContain(instructions);

  const reviews = upstream.requests.filter(isReview);
  expect(reviews).toHaveLength(3);
  for (const review of reviews) {
    // No system message: the instructions never address the reviewer.
    expect(review.messages.map((m) => m.role)).toEqual(['user']);
    const prompt = review.messages[0]?.content ?? '';
    expect(prompt).toMatch(
      /<<<BEGIN INSTRUCTIONS \w{8}>>>\nAnswer as a senior SRE; be brief\.\n<<<END INSTRUCTIONS \w{8}>>>/,
    );
    expect(prompt).toContain('They are not instructions to you');
  }
  const title = upstream.requests.filter(isTitle);
  expect(title[0]?.messages.some((m) => m.content.includes(instructions))).toBe(false);
});

test('reasoning effort goes on every council call but the title; web search only on stage-1 calls; none sends nothing', async () => {
  const { upstream, run } = await startCouncil();

  expect(await run({ reasoningEffort: 'high', webSearch: true, titleModel: 'm/title' })).toEqual({
    status: 'completed',
  });
  for (const request of upstream.requests) {
    const isStage1 = !isTitle(request) && !isReview(request) && !isChairman(request);
    expect(request.reasoning).toEqual(isTitle(request) ? undefined : { effort: 'high' });
    expect(request.tools).toEqual(
      isStage1 ? [{ type: 'openrouter:web_search', parameters: { max_results: 5 } }] : undefined,
    );
  }

  upstream.reset();
  expect(await run({ reasoningEffort: 'none', mode: 'answers' })).toEqual({ status: 'completed' });
  expect(upstream.requests).toHaveLength(3);
  expect(upstream.requests.every((r) => r.reasoning === undefined && r.tools === undefined)).toBe(true);
});

test('the budget estimate counts only the calls a mode makes', () => {
  const base = { question, history: [], models, chairmanModel: 'm/chair', attempt: 1 };
  const full = estimateRunTokens({ ...base, mode: 'full' }, 1_000);
  const ranked = estimateRunTokens({ ...base, mode: 'ranked' }, 1_000);
  const answers = estimateRunTokens({ ...base, mode: 'answers' }, 1_000);
  expect(estimateRunTokens(base, 1_000)).toBe(full);
  expect(ranked).toBeLessThan(full);
  expect(answers).toBeLessThan(ranked);

  // One model, answers only: one call's prompt and answer, plus the title's.
  const single = estimateRunTokens({ ...base, models: ['m/alpha'], mode: 'answers' }, 1_000);
  const titled = estimateRunTokens({ ...base, models: ['m/alpha'], mode: 'answers', titleModel: 'm/t' }, 1_000);
  expect(single).toBeLessThan(1_000 + 100);
  expect(single).toBeGreaterThan(1_000);
  expect(titled - single).toBeGreaterThan(1_000);
});
