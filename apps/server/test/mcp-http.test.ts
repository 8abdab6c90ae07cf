import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult, Progress } from '@modelcontextprotocol/sdk/types.js';
import { expect } from 'vitest';
import { councilTest } from './helpers/fixtures.js';
import { STRONG_PASSWORD } from './helpers/test-server.js';
import { CHAIRMAN, COUNCIL, signUpWithKey, waitForRunStatus, waitUntil } from './helpers/council-harness.js';

// The MCP endpoint (/mcp, Streamable HTTP), driven by the official MCP SDK `Client` against a
// real server and the fake upstream.

const test = councilTest();
const FINAL = "The council's final answer, weighing every response and review.";

async function ownerWithToken(bed: { server: Parameters<typeof signUpWithKey>[0] }, scopes: ('read' | 'council')[]) {
  const owner = await signUpWithKey(bed.server);
  const { token } = await owner.client.tokens.create.mutate({ name: 'mcp', scopes, password: STRONG_PASSWORD });
  return { owner, token };
}

async function connect(url: string, token: string): Promise<Client> {
  const client = new Client({ name: 'council-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  return client;
}

function textOf(result: CallToolResult): string {
  return result.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
}

test('consult_council answers with the synthesis, ranking and verdict, sends progress per stage, and is stored as an `mcp` conversation that the read tools find', async ({
  bed,
}) => {
  const { owner, token } = await ownerWithToken(bed, ['council', 'read']);
  const mcp = await connect(bed.server.url, token);
  const { tools } = await mcp.listTools();
  expect(tools.map((t) => t.name).sort()).toEqual([
    'consult_council',
    'get_conversation',
    'list_conversations',
    'search_conversations',
  ]);
  const consult = tools.find((t) => t.name === 'consult_council')!;
  expect(Object.keys(consult.inputSchema.properties ?? {})).toEqual(['question', 'council', 'mode', 'include_details']);
  expect(consult.outputSchema).toBeDefined();

  const progress: Progress[] = [];
  const result = (await mcp.callTool(
    {
      name: 'consult_council',
      arguments: { question: 'Why is the albatross so good at gliding?', include_details: true },
    },
    undefined,
    { onprogress: (p) => progress.push(p) },
  )) as CallToolResult;
  expect(result.isError).toBeFalsy();
  const output = result.structuredContent as Record<string, unknown> & {
    ranking: { model: string }[];
    answers: { model: string; answer: string }[];
    reviews: { reviewer: string; ranking: string[] }[];
    usage: { total_tokens: number };
  };
  expect(output).toMatchObject({
    status: 'completed',
    mode: 'full',
    answer: FINAL,
    answer_model: CHAIRMAN,
    answer_basis: 'synthesis',
    chairman_model: CHAIRMAN,
  });
  expect(output.ranking.map((r) => r.model).sort()).toEqual([...COUNCIL].sort());
  const verdict = output['verdict'] as { kind: string; sentence: string };
  expect(['clear_winner', 'close', 'split']).toContain(verdict.kind);
  // The evidence names the model(s) it is about, e.g. "x ranked first by 3 of 3 peers."
  expect(COUNCIL.some((model) => verdict.sentence.includes(model))).toBe(true);
  expect(textOf(result)).toContain(`**Verdict:**`);
  expect(output.answers.map((a) => a.model)).toEqual([...COUNCIL]);
  expect(output.reviews).toHaveLength(COUNCIL.length);
  expect(textOf(result)).toContain(FINAL);
  expect(textOf(result)).toContain('| place | model |');

  // Progress per stage, growing with every notification.
  const messages = progress.map((p) => p.message);
  expect(messages[0]).toBe('The council of 3 is answering…');
  expect(messages).toContain('Reviewing…');
  expect(messages.at(-1)).toBe(`${CHAIRMAN} (chairman) wrote the final answer.`);
  expect(progress.map((p) => p.progress)).toEqual(progress.map((_, i) => i + 1));

  const run = await owner.client.council.get.query({ runId: output['run_id'] as string });
  expect(output.usage.total_tokens).toBe(run.usage!.totalTokens);

  const listed = (await mcp.callTool({ name: 'list_conversations', arguments: {} })) as CallToolResult;
  const conversations = (listed.structuredContent as { conversations: { id: string; source: string }[] }).conversations;
  expect(conversations[0]).toMatchObject({ id: output['conversation_id'], source: 'mcp' });

  const found = (await mcp.callTool({
    name: 'search_conversations',
    arguments: { query: 'albatross' },
  })) as CallToolResult;
  expect((found.structuredContent as { results: { id: string; snippet: string }[] }).results[0]).toMatchObject({
    id: output['conversation_id'],
  });
  const read = (await mcp.callTool({
    name: 'get_conversation',
    arguments: { id: output['conversation_id'] },
  })) as CallToolResult;
  expect(textOf(read)).toContain('Why is the albatross so good at gliding?');
  expect(textOf(read)).toContain(FINAL);
  await mcp.close();
});

test('cancelling consult_council cancels the run on the server', async ({ bed }) => {
  const long = Array.from({ length: 400 }, (_, i) => `w${i}`).join(' ');
  for (const model of COUNCIL) bed.upstream.setBehavior(model, { tokenDelayMs: 25, reply: () => long });
  const { owner, token } = await ownerWithToken(bed, ['council', 'read']);
  const mcp = await connect(bed.server.url, token);
  const abort = new AbortController();
  const call = mcp
    .callTool({ name: 'consult_council', arguments: { question: 'Take your time.' } }, undefined, {
      signal: abort.signal,
      onprogress: () => abort.abort(),
    })
    .catch((error: unknown) => error);
  expect(await call).toBeInstanceOf(Error);
  await waitUntil(() => bed.upstream.openRequests === 0, 10_000, 'the upstream calls to stop');
  const { items } = await owner.client.conversations.list.query();
  const conversation = await owner.client.conversations.get.query({ id: items[0]!.id });
  expect((await waitForRunStatus(owner.client, conversation.runs[0]!.id, ['cancelled'])).status).toBe('cancelled');
  await mcp.close();
});

test('a read token is refused consult_council as a tool error naming the scope; bad arguments and another user’s id are tool errors too', async ({
  bed,
}) => {
  const { owner, token } = await ownerWithToken(bed, ['read']);
  const mcp = await connect(bed.server.url, token);
  const refused = (await mcp.callTool({
    name: 'consult_council',
    arguments: { question: 'May I?' },
  })) as CallToolResult;
  expect(refused.isError).toBe(true);
  expect(textOf(refused)).toContain('ACCESS_TOKEN_FORBIDDEN: This access token lacks the "council" scope');
  expect(bed.upstream.requests).toHaveLength(0);

  const empty = (await mcp.callTool({ name: 'consult_council', arguments: { question: '' } })) as CallToolResult;
  expect(empty.isError).toBe(true);
  expect(textOf(empty)).toContain('question cannot be empty');
  const badId = (await mcp.callTool({ name: 'get_conversation', arguments: { id: 'nope' } })) as CallToolResult;
  expect(textOf(badId)).toContain('id must be a conversation id');

  const stranger = await signUpWithKey(bed.server);
  const foreign = (await mcp.callTool({
    name: 'get_conversation',
    arguments: { id: stranger.conversationId },
  })) as CallToolResult;
  expect(foreign.isError).toBe(true);
  expect(textOf(foreign)).toContain('NOT_FOUND');
  expect((await owner.client.conversations.list.query()).items).toHaveLength(1);
  await mcp.close();
});

test('over the daily budget consult_council is a tool error naming the budget, before any upstream call', async ({
  bed,
}) => {
  const { owner, token } = await ownerWithToken(bed, ['council']);
  const mcp = await connect(bed.server.url, token);
  await mcp.callTool({ name: 'consult_council', arguments: { question: 'Spend a little.' } });
  await owner.client.settings.setDailyBudget.mutate({ tokens: 1, usd: null });
  const asked = bed.upstream.requests.length;
  const refused = (await mcp.callTool({ name: 'consult_council', arguments: { question: 'More?' } })) as CallToolResult;
  expect(refused.isError).toBe(true);
  expect(textOf(refused)).toMatch(/^BUDGET_EXCEEDED: .* Try again in \d+ (seconds|minutes|hours)\.$/);
  expect(bed.upstream.requests).toHaveLength(asked);
  await mcp.close();
});

test('a bad or revoked token is HTTP 401 before any MCP message; a session cookie is no substitute; no CORS', async ({
  bed,
}) => {
  const { owner, token } = await ownerWithToken(bed, ['read']);
  const forged = await connect(bed.server.url, `${token.slice(0, -4)}AAAA`).catch((error: unknown) => error);
  expect(forged).toMatchObject({ code: 401 });
  expect(String(forged)).toContain('invalid, expired or revoked');

  const initialize = {
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
  };
  const post = (headers: Record<string, string>) =>
    fetch(`${bed.server.url}/mcp`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
        Origin: 'http://localhost:5173',
        ...headers,
      },
      body: JSON.stringify(initialize),
    });
  const anonymous = await post({});
  expect(anonymous.status).toBe(401);
  expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
  expect(anonymous.headers.get('access-control-allow-origin')).toBeNull();
  const sessionToken = await owner.client.getAccessToken();
  expect((await post({ Authorization: `Bearer ${sessionToken}` })).status).toBe(401);

  const mcp = await connect(bed.server.url, token);
  const [listed] = await owner.client.tokens.list.query();
  await owner.client.tokens.revoke.mutate({ id: listed!.id });
  const afterRevoke = await mcp
    .callTool({ name: 'list_conversations', arguments: {} })
    .catch((error: unknown) => error);
  expect(afterRevoke).toMatchObject({ code: 401 });
});
