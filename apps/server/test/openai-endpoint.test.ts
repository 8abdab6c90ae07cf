import OpenAI from 'openai';
import { expect } from 'vitest';
import { councilTest } from './helpers/fixtures.js';
import { STRONG_PASSWORD } from './helpers/test-server.js';
import {
  CHAIRMAN,
  COUNCIL,
  questionOf,
  requestsOf,
  signUpWithKey,
  waitForRunStatus,
  waitUntil,
} from './helpers/council-harness.js';

// The OpenAI-compatible endpoint (/v1), driven by the official `openai` npm package against a
// real server and the fake upstream.

const test = councilTest();
const FINAL = "The council's final answer, weighing every response and review.";

async function ownerWithKey(bed: { server: Parameters<typeof signUpWithKey>[0] }, scopes: ('read' | 'council')[]) {
  const owner = await signUpWithKey(bed.server);
  const { token } = await owner.client.tokens.create.mutate({ name: 'openai', scopes, password: STRONG_PASSWORD });
  const openai = new OpenAI({ apiKey: token, baseURL: `${bed.server.url}/v1`, maxRetries: 0 });
  return { owner, openai, token };
}

async function latestRunOf(owner: Awaited<ReturnType<typeof signUpWithKey>>) {
  const { items } = await owner.client.conversations.list.query();
  const conversation = await owner.client.conversations.get.query({ id: items[0]!.id });
  return { summary: items[0]!, conversation, run: conversation.runs.at(-1)! };
}

test('chat.completions answers with the chairman’s synthesis, stores an `openai` conversation with the earlier turns as history, and totals the run’s usage', async ({
  bed,
}) => {
  const { owner, openai } = await ownerWithKey(bed, ['council', 'read']);
  const models = await openai.models.list();
  expect(models.data.map((m) => m.id)).toEqual(['council']);

  const completion = await openai.chat.completions.create({
    model: 'council',
    messages: [
      { role: 'system', content: 'Answer like a ship’s captain.' },
      { role: 'user', content: 'What is a knot?' },
      { role: 'assistant', content: 'A knot is one nautical mile per hour.' },
      { role: 'user', content: 'And a fathom?' },
    ],
  });
  expect(completion.object).toBe('chat.completion');
  expect(completion.model).toBe('council');
  expect(completion.choices[0]?.message.content).toBe(FINAL);
  expect(completion.choices[0]?.finish_reason).toBe('stop');
  const reasoning = (completion.choices[0]?.message as { reasoning?: string }).reasoning ?? '';
  expect(reasoning).toMatch(/^The council of 3 is answering…\ntest\/\w+ answered \(1 of 3\)…\n/);

  const { summary, conversation, run } = await latestRunOf(owner);
  expect(summary.source).toBe('openai');
  expect(conversation.messages.map((m) => [m.role, m.content])).toEqual([
    ['user', 'What is a knot?'],
    ['assistant', 'A knot is one nautical mile per hour.'],
    ['user', 'And a fathom?'],
    ['assistant', FINAL],
  ]);
  // The system message is the run's standing instructions: each answer's system message.
  expect(run.instructions).toBe('Answer like a ship’s captain.');
  // Every council model was asked with the earlier turn as the conversation so far.
  for (const model of COUNCIL) {
    const [asked] = requestsOf(bed.upstream, 'stage1', model);
    const prompt = asked!.messages.map((m) => m.content).join('\n');
    expect(prompt).toContain('A knot is one nautical mile per hour.');
    expect(questionOf(asked!)).toContain('And a fathom?');
    expect(asked!.messages[0]).toEqual({ role: 'system', content: 'Answer like a ship’s captain.' });
  }
  expect(run.usage?.totalTokens).toBeGreaterThan(0);
  expect(completion.usage).toMatchObject({
    prompt_tokens: run.usage!.promptTokens,
    completion_tokens: run.usage!.completionTokens,
    total_tokens: run.usage!.totalTokens,
  });
});

test('stream: progress as delta.reasoning, the synthesis as content chunks, usage in a last chunk, then [DONE]', async ({
  bed,
}) => {
  const { owner, openai } = await ownerWithKey(bed, ['council', 'read']);
  const stream = await openai.chat.completions.create({
    model: 'council',
    messages: [{ role: 'user', content: 'Why do ships float?' }],
    stream: true,
    stream_options: { include_usage: true },
  });
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
  const deltas = chunks.flatMap((c) =>
    c.choices.map((choice) => choice.delta as { content?: string; reasoning?: string }),
  );
  const reasoning = deltas.map((d) => d.reasoning ?? '').join('');
  for (const model of COUNCIL) expect(reasoning).toContain(`${model} answered (`);
  expect(reasoning).toContain('Reviewing…');
  expect(reasoning).toContain(`${CHAIRMAN} (chairman) wrote the final answer.`);
  // The reasoning comes before the answer, and the answer arrives in more than one piece.
  const contentChunks = deltas.filter((d) => d.content);
  expect(contentChunks.length).toBeGreaterThan(1);
  expect(contentChunks.map((d) => d.content).join('')).toBe(FINAL);
  expect(chunks.find((c) => c.choices[0]?.finish_reason === 'stop')).toBeDefined();
  const last = chunks.at(-1)!;
  expect(last.choices).toEqual([]);
  const { run, summary } = await latestRunOf(owner);
  expect(summary.source).toBe('openai');
  expect(last.usage).toMatchObject({ total_tokens: run.usage!.totalTokens, prompt_tokens: run.usage!.promptTokens });
});

test('a bad or revoked key is 401, a read-only token 403; a wrong model 404 and a bad body 400 name the param; nothing is stored', async ({
  bed,
}) => {
  const { owner, openai, token } = await ownerWithKey(bed, ['read']);
  const forged = new OpenAI({ apiKey: `${token.slice(0, -4)}AAAA`, baseURL: `${bed.server.url}/v1`, maxRetries: 0 });
  const unauthorized = await forged.models.list().catch((error: unknown) => error);
  expect(unauthorized).toBeInstanceOf(OpenAI.AuthenticationError);
  expect((unauthorized as InstanceType<typeof OpenAI.AuthenticationError>).code).toBe('invalid_api_key');

  const ask = (client: OpenAI, body: Partial<OpenAI.ChatCompletionCreateParamsNonStreaming>) =>
    client.chat.completions
      .create({ model: 'council', messages: [{ role: 'user', content: 'Hi?' }], ...body })
      .catch((error: unknown) => error as InstanceType<typeof OpenAI.APIError>);

  const readOnly = await ask(openai, {});
  expect(readOnly).toBeInstanceOf(OpenAI.PermissionDeniedError);
  expect(readOnly).toMatchObject({ status: 403, code: 'ACCESS_TOKEN_FORBIDDEN' });
  expect((readOnly as Error).message).toContain('lacks the "council" scope');

  const { token: councilToken } = await owner.client.tokens.create.mutate({
    name: 'ask',
    scopes: ['council'],
    password: STRONG_PASSWORD,
  });
  const asker = new OpenAI({ apiKey: councilToken, baseURL: `${bed.server.url}/v1`, maxRetries: 0 });
  expect(await ask(asker, { model: 'gpt-4o' })).toMatchObject({ status: 404, param: 'model', code: 'model_not_found' });
  expect(
    await ask(asker, {
      messages: [
        { role: 'user', content: 'Q' },
        { role: 'assistant', content: 'A' },
      ],
    }),
  ).toMatchObject({ status: 400, param: 'messages' });
  expect(
    await ask(asker, { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:,' } }] }] }),
  ).toMatchObject({ status: 400, param: 'messages[0].content' });
  expect(await ask(asker, { messages: [] })).toMatchObject({ status: 400, param: 'messages' });
  expect(await ask(asker, { messages: [{ role: 'user', content: 'x'.repeat(100_001) }] })).toMatchObject({
    status: 400,
    param: 'messages',
  });

  const askToken = (await owner.client.tokens.list.query()).find((t) => t.name === 'ask');
  await owner.client.tokens.revoke.mutate({ id: askToken!.id });
  expect(await asker.models.list().catch((error: unknown) => error)).toBeInstanceOf(OpenAI.AuthenticationError);
  expect((await owner.client.conversations.list.query()).items).toHaveLength(1); // only signUpWithKey's
  expect(bed.upstream.requests).toHaveLength(0);
});

test('over the daily budget the call is 429 with Retry-After and the limit named, before any upstream call', async ({
  bed,
}) => {
  const { owner, openai } = await ownerWithKey(bed, ['council']);
  await openai.chat.completions.create({ model: 'council', messages: [{ role: 'user', content: 'Spend a little.' }] });
  await owner.client.settings.setDailyBudget.mutate({ tokens: 1, usd: null });
  const asked = bed.upstream.requests.length;
  const refusals = await Promise.all(
    [1, 2, 3].map(() =>
      openai.chat.completions
        .create({ model: 'council', messages: [{ role: 'user', content: 'Spend more.' }], stream: true })
        .catch((error: unknown) => error as InstanceType<typeof OpenAI.APIError>),
    ),
  );
  for (const refused of refusals) {
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    expect(refused).toMatchObject({ status: 429, code: 'BUDGET_EXCEEDED' });
    expect(Number((refused as InstanceType<typeof OpenAI.APIError>).headers?.get('retry-after'))).toBeGreaterThan(0);
  }
  expect(bed.upstream.requests).toHaveLength(asked);
});

test('a streaming client that hangs up cancels the run', async ({ bed }) => {
  const long = Array.from({ length: 400 }, (_, i) => `w${i}`).join(' ');
  for (const model of COUNCIL) bed.upstream.setBehavior(model, { tokenDelayMs: 25, reply: () => long });
  const { owner, openai } = await ownerWithKey(bed, ['council', 'read']);
  const stream = await openai.chat.completions.create({
    model: 'council',
    messages: [{ role: 'user', content: 'Take your time.' }],
    stream: true,
  });
  for await (const chunk of stream) {
    if ((chunk.choices[0]?.delta as { reasoning?: string }).reasoning) break; // leaves the stream: the request is aborted
  }
  await waitUntil(() => bed.upstream.openRequests === 0, 10_000, 'the upstream calls to stop');
  const { run } = await latestRunOf(owner);
  expect((await waitForRunStatus(owner.client, run.id, ['cancelled'])).status).toBe('cancelled');
});
