import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import OpenAI from 'openai';
import { expect } from 'vitest';
import { councilTest } from './helpers/fixtures.js';
import { STRONG_PASSWORD } from './helpers/test-server.js';
import { CHAIRMAN, COUNCIL, councilReply, requestsOf, signUpWithKey } from './helpers/council-harness.js';

// Saved councils and modes from other tools (issue 20 §1–2): the MCP tool's `council` and `mode`,
// and `council/<slug>` models on the OpenAI-compatible endpoint, driven by the official MCP SDK
// `Client` and the official `openai` package against a real server and the fake upstream.

const SERVER_COUNCIL = {
  name: 'Quick answers',
  models: ['test/alpha'],
  chairmanModel: CHAIRMAN,
  mode: 'answers',
  instructions: 'Answer in one line.',
};
const test = councilTest({ env: { SERVER_COUNCILS: JSON.stringify([SERVER_COUNCIL]) } });
const FINAL = "The council's final answer, weighing every response and review.";

/** Every council model answers in words of its own, so a test can tell whose answer came back. */
function answerByModel(bed: { upstream: { setBehavior: (model: string, behavior: object) => void } }) {
  for (const model of COUNCIL) {
    bed.upstream.setBehavior(model, {
      tokenDelayMs: 1,
      reply: councilReply({ answer: () => `${model} says: glide.` }),
    });
  }
}

async function userWithToken(bed: { server: Parameters<typeof signUpWithKey>[0] }, scopes: ('read' | 'council')[]) {
  const owner = await signUpWithKey(bed.server);
  const { token } = await owner.client.tokens.create.mutate({ name: 'tools', scopes, password: STRONG_PASSWORD });
  return { owner, token };
}

async function connectMcp(url: string, token: string): Promise<Client> {
  const client = new Client({ name: 'council-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    }),
  );
  return client;
}

const textOf = (result: CallToolResult) => result.content.map((p) => (p.type === 'text' ? p.text : '')).join('');

type ConsultOutput = {
  status: string;
  mode: string;
  answer: string | null;
  answer_model: string | null;
  answer_basis: string | null;
  chairman_model: string | null;
  ranking: { model: string }[];
  answers?: { model: string; answer: string | null }[];
  run_id: string;
};

test('consult_council with `council` runs that saved council (a server council in answers mode: one call, its first answer); with `mode: ranked` it returns the top-ranked answer, not a synthesis', async ({
  bed,
}) => {
  answerByModel(bed);
  const { owner, token } = await userWithToken(bed, ['council']);
  await owner.client.councils.create.mutate({
    name: 'Gliding experts',
    models: [...COUNCIL],
    chairmanModel: CHAIRMAN,
    instructions: 'Speak of birds only.',
  });
  const mcp = await connectMcp(bed.server.url, token);
  const { tools } = await mcp.listTools();
  const consult = tools.find((t) => t.name === 'consult_council')!;
  expect(Object.keys(consult.inputSchema.properties ?? {})).toEqual(['question', 'council', 'mode', 'include_details']);

  // The operator's council, named in another case: answers mode, one model, no review, no chairman.
  const quick = (await mcp.callTool({
    name: 'consult_council',
    arguments: { question: 'Why do albatrosses glide?', council: 'quick ANSWERS' },
  })) as CallToolResult;
  expect(quick.isError).toBeFalsy();
  expect(quick.structuredContent).toMatchObject({
    status: 'completed',
    mode: 'answers',
    answer: 'test/alpha says: glide.',
    answer_model: 'test/alpha',
    answer_basis: 'first_answer',
    chairman_model: null,
    ranking: [],
  });
  expect(textOf(quick)).toContain('## Answer (test/alpha)\n\nAnswers only: no peer review or synthesis');
  expect(bed.upstream.requests.filter((r) => r.model !== 'test/title').map((r) => r.model)).toEqual(['test/alpha']);
  const instructed = requestsOf(bed.upstream, 'stage1', 'test/alpha')[0]!;
  expect(instructed.messages[0]).toMatchObject({ role: 'system', content: 'Answer in one line.' });

  // The user's own council, asked in ranked mode: answers and reviews, no chairman call.
  bed.upstream.requests.length = 0;
  const ranked = (await mcp.callTool({
    name: 'consult_council',
    arguments: {
      question: 'Which bird glides best?',
      council: 'Gliding experts',
      mode: 'ranked',
      include_details: true,
    },
  })) as CallToolResult;
  expect(ranked.isError).toBeFalsy();
  const output = ranked.structuredContent as ConsultOutput;
  const top = output.ranking[0]!.model;
  expect(output).toMatchObject({
    status: 'completed',
    mode: 'ranked',
    answer: `${top} says: glide.`,
    answer_model: top,
    answer_basis: 'top_ranked',
    chairman_model: null,
  });
  expect(output.answers?.map((a) => a.model)).toEqual([...COUNCIL]);
  expect(textOf(ranked)).toContain(`## Top-ranked answer (${top})`);
  expect(textOf(ranked)).not.toContain(FINAL);
  expect(requestsOf(bed.upstream, 'stage3')).toHaveLength(0);
  expect(requestsOf(bed.upstream, 'stage2')).toHaveLength(COUNCIL.length);
  expect(requestsOf(bed.upstream, 'stage1', top)[0]!.messages[0]).toMatchObject({
    role: 'system',
    content: 'Speak of birds only.',
  });
  const run = await owner.client.council.get.query({ runId: output.run_id });
  expect(run).toMatchObject({ mode: 'ranked', instructions: 'Speak of birds only.' });
  await mcp.close();
});

test('consult_council with an unknown council or mode is a tool error naming the field and listing the councils there are; nothing is asked', async ({
  bed,
}) => {
  const { owner, token } = await userWithToken(bed, ['council', 'read']);
  await owner.client.councils.create.mutate({
    name: 'Mine',
    models: ['test/alpha', 'test/beta'],
    chairmanModel: CHAIRMAN,
  });
  const mcp = await connectMcp(bed.server.url, token);
  const unknown = (await mcp.callTool({
    name: 'consult_council',
    arguments: { question: 'Anyone?', council: 'Nobody' },
  })) as CallToolResult;
  expect(unknown.isError).toBe(true);
  expect(textOf(unknown)).toBe(
    'council: no saved council is named "Nobody"; the councils you can ask: "Mine", "Quick answers"',
  );
  const badMode = (await mcp.callTool({
    name: 'consult_council',
    arguments: { question: 'Anyone?', mode: 'chairman-only' },
  })) as CallToolResult;
  expect(badMode.isError).toBe(true);
  expect(textOf(badMode)).toContain('mode must be one of full, ranked, answers');
  // A council of one cannot be peer-ranked: the server's refusal names the field.
  const tooSmall = (await mcp.callTool({
    name: 'consult_council',
    arguments: { question: 'Anyone?', council: 'Quick answers', mode: 'full' },
  })) as CallToolResult;
  expect(tooSmall.isError).toBe(true);
  expect(textOf(tooSmall)).toContain('models: a council in full mode needs at least 2 different models');
  expect(bed.upstream.requests).toHaveLength(0);
  expect((await owner.client.conversations.list.query()).items).toHaveLength(1);
  await mcp.close();
});

test('/v1/models lists `council` and `council/<slug>` per saved council (own first, a clash gets -2); `council/<slug>` runs that council; an unknown one is a 404 on `model`', async ({
  bed,
}) => {
  answerByModel(bed);
  const { owner, token } = await userWithToken(bed, ['council']);
  const openai = new OpenAI({ apiKey: token, baseURL: `${bed.server.url}/v1`, maxRetries: 0 });
  expect((await openai.models.list()).data.map((m) => m.id)).toEqual(['council', 'council/quick-answers']);
  await owner.client.councils.create.mutate({
    name: 'Senior SRE (brief)',
    models: ['test/beta', 'test/gamma'],
    chairmanModel: 'test/gamma',
    mode: 'ranked',
    instructions: 'Answer as a senior SRE.',
  });
  await owner.client.councils.create.mutate({
    name: 'Quick Answers!',
    models: ['test/gamma'],
    chairmanModel: CHAIRMAN,
    mode: 'answers',
  });
  expect((await openai.models.list()).data.map((m) => m.id)).toEqual([
    'council',
    'council/quick-answers',
    'council/senior-sre-brief',
    'council/quick-answers-2',
  ]);

  // The user's own "Quick Answers!" took the slug: their council runs, not the operator's.
  const own = await openai.chat.completions.create({
    model: 'council/quick-answers',
    messages: [{ role: 'user', content: 'Is it up?' }],
  });
  expect(own.choices[0]?.message.content).toBe('test/gamma says: glide.');
  expect(own.model).toBe('council/quick-answers');

  // A ranked council streams progress as reasoning and its top-ranked answer as the content.
  bed.upstream.requests.length = 0;
  const stream = await openai.chat.completions.create({
    model: 'council/senior-sre-brief',
    messages: [{ role: 'user', content: 'Is the pager on fire?' }],
    stream: true,
    stream_options: { include_usage: true },
  });
  let content = '';
  let reasoning = '';
  let usage: OpenAI.CompletionUsage | null | undefined;
  for await (const chunk of stream) {
    const delta = chunk.choices[0]?.delta as { content?: string; reasoning?: string } | undefined;
    content += delta?.content ?? '';
    reasoning += delta?.reasoning ?? '';
    if (chunk.usage) usage = chunk.usage;
  }
  expect(content).toMatch(/^test\/(beta|gamma) says: glide\.$/);
  expect(reasoning).toContain('Reviewing…');
  expect(usage?.total_tokens).toBeGreaterThan(0);
  expect(requestsOf(bed.upstream, 'stage3')).toHaveLength(0);
  expect(
    requestsOf(bed.upstream, 'stage1')
      .map((r) => r.model)
      .sort(),
  ).toEqual(['test/beta', 'test/gamma']);
  expect(requestsOf(bed.upstream, 'stage1', 'test/beta')[0]!.messages[0]).toMatchObject({
    role: 'system',
    content: 'Answer as a senior SRE.',
  });

  const unknown = await openai.chat.completions
    .create({ model: 'council/nobody', messages: [{ role: 'user', content: 'Hello?' }] })
    .catch((error: unknown) => error);
  expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
  expect(unknown).toMatchObject({ status: 404, param: 'model', code: 'model_not_found' });
  expect((unknown as Error).message).toContain(
    '"council", "council/quick-answers", "council/senior-sre-brief", "council/quick-answers-2"',
  );
  const stranger = await openai.chat.completions
    .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hello?' }] })
    .catch((error: unknown) => error);
  expect(stranger).toMatchObject({ status: 404, param: 'model', code: 'model_not_found' });
  expect((await owner.client.conversations.list.query()).items).toHaveLength(3);
});

test("case 105–106: another user's council is not a model of mine, by slug or by name; a read token naming a council still may not ask", async ({
  bed,
}) => {
  const other = await signUpWithKey(bed.server);
  await other.client.councils.create.mutate({
    name: 'Secret',
    models: ['test/alpha', 'test/beta'],
    chairmanModel: CHAIRMAN,
  });
  const { token } = await userWithToken(bed, ['council', 'read']);
  const openai = new OpenAI({ apiKey: token, baseURL: `${bed.server.url}/v1`, maxRetries: 0 });
  expect((await openai.models.list()).data.map((m) => m.id)).toEqual(['council', 'council/quick-answers']);
  const refused = await openai.chat.completions
    .create({ model: 'council/secret', messages: [{ role: 'user', content: 'Tell me.' }] })
    .catch((error: unknown) => error);
  expect(refused).toMatchObject({ status: 404, param: 'model' });
  const mcp = await connectMcp(bed.server.url, token);
  const byName = (await mcp.callTool({
    name: 'consult_council',
    arguments: { question: 'Tell me.', council: 'Secret' },
  })) as CallToolResult;
  expect(textOf(byName)).toContain('no saved council is named "Secret"; the councils you can ask: "Quick answers"');

  const { token: readToken } = await userWithToken(bed, ['read']);
  const reader = await connectMcp(bed.server.url, readToken);
  const readerRefused = (await reader.callTool({
    name: 'consult_council',
    arguments: { question: 'May I?', council: 'Quick answers' },
  })) as CallToolResult;
  expect(readerRefused.isError).toBe(true);
  expect(textOf(readerRefused)).toContain('lacks the "council" scope');
  expect(bed.upstream.requests).toHaveLength(0);
  await reader.close();
  await mcp.close();
});
