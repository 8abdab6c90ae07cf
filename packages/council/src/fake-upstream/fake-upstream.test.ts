import { expect, onTestFinished, test } from 'vitest';
import { buildTitleMessages } from '../prompts.js';
import { readRanking } from '../ranking/parse-ranking.js';
import { buildReviewMessages } from '../review-prompts.js';
import { defaultReply } from './fake-upstream.replies.js';
import { startFakeUpstream } from './fake-upstream.server.js';
import type { FakeUpstreamOptions } from './fake-upstream.types.js';

async function startUpstream(options?: FakeUpstreamOptions) {
  const upstream = await startFakeUpstream(options);
  onTestFinished(() => upstream.close());
  return upstream;
}

function postChat(url: string, body: unknown, apiKey = 'any', signal?: AbortSignal) {
  return fetch(`${url}/chat/completions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${apiKey}` },
    body: JSON.stringify(body),
    signal,
  });
}

test('GET /models lists the catalog in OpenRouter shape with string prices', async () => {
  const upstream = await startUpstream();
  const body = (await (await fetch(`${upstream.url}/models`)).json()) as { data: Record<string, unknown>[] };
  expect(body.data.length).toBe(8);
  expect(body.data[0]).toMatchObject({
    id: 'openai/gpt-5.1',
    context_length: 400_000,
    pricing: { prompt: '0.00000125' },
  });
});

test('a non-streamed completion returns the whole message and usage', async () => {
  const upstream = await startUpstream();
  upstream.setBehavior('m/plain', { text: 'hello there', usage: { promptTokens: 7 } });
  const response = await postChat(upstream.url, { model: 'm/plain', messages: [{ role: 'user', content: 'hi' }] });
  const body = (await response.json()) as { choices: { message: { content: string } }[]; usage: unknown };
  expect(body.choices[0]?.message.content).toBe('hello there');
  expect(body.usage).toEqual({ prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 });
  expect(upstream.requests[0]).toMatchObject({ model: 'm/plain', stream: false, authorization: 'Bearer any' });
});

test('the log says when each answer was fully written (what the critical-path benchmark splits runs by)', async () => {
  const upstream = await startUpstream();
  upstream.setBehavior('m/paced', { text: 'one two three', firstTokenMs: 100, tokenDelayMs: 50 });
  const response = await postChat(upstream.url, { model: 'm/paced', messages: [], stream: true });
  await response.text();
  const [request] = upstream.requests;
  expect(request?.endedAt).toBeGreaterThanOrEqual((request?.at ?? 0) + 100 + 2 * 50 - 5);
});

test('configured keys: unknown keys get 401, exhausted keys 402 on chat', async () => {
  const upstream = await startUpstream({ keys: { good: { valid: true }, spent: { valid: true, limit: 5, usage: 5 } } });
  const messages = [{ role: 'user', content: 'hi' }];
  expect((await postChat(upstream.url, { model: 'm', messages }, 'bad')).status).toBe(401);
  expect((await postChat(upstream.url, { model: 'm', messages }, 'spent')).status).toBe(402);
  expect((await postChat(upstream.url, { model: 'm', messages }, 'good')).status).toBe(200);
});

test('with an explicit catalog, unknown model ids are rejected with 400', async () => {
  const upstream = await startUpstream({
    models: [{ id: 'a/known', name: 'Known', contextLength: null, pricing: null }],
  });
  const response = await postChat(upstream.url, { model: 'a/unknown', messages: [] });
  expect(response.status).toBe(400);
  expect(await response.json()).toEqual({
    error: { code: 400, message: 'a/unknown is not a valid model ID', metadata: { provider_name: 'Fake' } },
  });
});

test('failTimes fails the first N requests with Retry-After, then answers', async () => {
  const upstream = await startUpstream();
  upstream.setBehavior('m/busy', { status: 429, failTimes: 1, retryAfterSec: 3 });
  const body = { model: 'm/busy', messages: [{ role: 'user', content: 'hi' }] };
  const first = await postChat(upstream.url, body);
  expect(first.status).toBe(429);
  expect(first.headers.get('retry-after')).toBe('3');
  expect((await postChat(upstream.url, body)).status).toBe(200);
});

test('a hanging stream ends when the client disconnects, and close() cuts open streams', async () => {
  const upstream = await startFakeUpstream();
  upstream.setBehavior('m/hung', { hang: true });
  const controller = new AbortController();
  const response = await postChat(
    upstream.url,
    { model: 'm/hung', messages: [], stream: true },
    'k',
    controller.signal,
  );
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const { value } = await reader.read();
  expect(new TextDecoder().decode(value)).toBe(': OPENROUTER PROCESSING\n\n');
  expect(upstream.openRequests).toBe(1);
  controller.abort();
  await expect.poll(() => upstream.openRequests, { timeout: 500 }).toBe(0);
  expect(upstream.requests[0]?.endedAt).toBeUndefined(); // cut off: no answer was written whole

  const second = await postChat(upstream.url, { model: 'm/hung', messages: [], stream: true });
  const secondReader = (second.body as ReadableStream<Uint8Array>).getReader();
  await secondReader.read();
  const closedAt = Date.now();
  await upstream.close();
  expect(Date.now() - closedAt).toBeLessThan(500);
  await expect(secondReader.read()).rejects.toThrow();
});

test('default replies: reviewers rank every label but disagree, titles are short', () => {
  const answers = ['one', 'two', 'three', 'four'].map((content, i) => ({ label: `Response ${'ABCD'[i]}`, content }));
  const [prompt] = buildReviewMessages({ question: 'Q?', history: [], answers, nonce: 'n0' });
  const labels = answers.map((a) => a.label);
  const rankings = ['a/one', 'b/two', 'c/three'].map(
    (model) => readRanking(defaultReply(model, [prompt!]), labels).ranking,
  );
  for (const ranking of rankings) expect([...ranking].sort()).toEqual(labels);
  expect(new Set(rankings.map((r) => r.join()))).not.toHaveProperty('size', 1);

  const title = defaultReply('t/model', buildTitleMessages({ question: 'How do I repot a cactus safely?' }));
  expect(title).toBe('Repot Cactus Safely');
  expect(defaultReply('t/model', buildTitleMessages({ question: 'What is 2+2?' }))).toBe('About 2+2');
});
