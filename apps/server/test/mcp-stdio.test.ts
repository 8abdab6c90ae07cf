import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult, Progress } from '@modelcontextprotocol/sdk/types.js';
import { expect } from 'vitest';
import { councilTest } from './helpers/fixtures.js';
import { STRONG_PASSWORD } from './helpers/test-server.js';
import { CHAIRMAN, COUNCIL, signUpWithKey, waitForRunStatus, waitUntil } from './helpers/council-harness.js';

// `llm-council mcp`: the built command (packages/cli/dist/main.js) started by the official MCP SDK
// `Client` over stdio, as Claude Desktop or Claude Code would, against a real server and the fake upstream.

const test = councilTest();
const repoRoot = resolve(import.meta.dirname, '../../..');
const cliPath = join(repoRoot, 'packages/cli/dist/main.js');

async function startStdio(env: Record<string, string>): Promise<{ mcp: Client; stderr: () => string }> {
  const home = mkdtempSync(join(tmpdir(), 'llmc-mcp-'));
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [cliPath, 'mcp'],
    env: { PATH: process.env['PATH'] ?? '', HOME: home, XDG_CONFIG_HOME: home, ...env },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const mcp = new Client({ name: 'council-stdio-test', version: '1.0.0' });
  await mcp.connect(transport);
  return { mcp, stderr: () => stderr };
}

test('llm-council mcp serves consult_council over stdio with progress, against the logged-in server; read tools work', async ({
  bed,
}) => {
  const owner = await signUpWithKey(bed.server);
  const { token } = await owner.client.tokens.create.mutate({
    name: 'stdio',
    scopes: ['read', 'council'],
    password: STRONG_PASSWORD,
  });
  const { mcp } = await startStdio({ LLM_COUNCIL_URL: bed.server.url, LLM_COUNCIL_TOKEN: token });
  expect((await mcp.listTools()).tools.map((t) => t.name).sort()).toEqual([
    'consult_council',
    'get_conversation',
    'list_conversations',
    'search_conversations',
  ]);
  const progress: Progress[] = [];
  const result = (await mcp.callTool(
    { name: 'consult_council', arguments: { question: 'How do lighthouses get their light?' } },
    undefined,
    { onprogress: (p) => progress.push(p) },
  )) as CallToolResult;
  expect(result.isError).toBeFalsy();
  expect(result.structuredContent).toMatchObject({ status: 'completed', chairman_model: CHAIRMAN });
  expect(progress.map((p) => p.message)).toContain('Reviewing…');
  const conversationId = (result.structuredContent as { conversation_id: string }).conversation_id;
  const stored = await owner.client.conversations.get.query({ id: conversationId });
  expect(stored.source).toBe('mcp');
  const read = (await mcp.callTool({ name: 'get_conversation', arguments: { id: conversationId } })) as CallToolResult;
  expect(JSON.stringify(read.content)).toContain('How do lighthouses get their light?');

  // A saved council by name, and less council: the same arguments as over HTTP.
  await owner.client.councils.create.mutate({ name: 'Keepers', models: [...COUNCIL], chairmanModel: CHAIRMAN });
  const answersOnly = (await mcp.callTool({
    name: 'consult_council',
    arguments: { question: 'And foghorns?', council: 'keepers', mode: 'answers' },
  })) as CallToolResult;
  expect(answersOnly.structuredContent).toMatchObject({
    status: 'completed',
    mode: 'answers',
    answer_model: COUNCIL[0],
    answer_basis: 'first_answer',
    chairman_model: null,
  });
  const unknown = (await mcp.callTool({
    name: 'consult_council',
    arguments: { question: 'And foghorns?', council: 'Lighthouse board' },
  })) as CallToolResult;
  expect(unknown.isError).toBe(true);
  expect(JSON.stringify(unknown.content)).toContain('council: no saved council is named \\"Lighthouse board\\"');
  await mcp.close();
});

test('cancelling over stdio cancels the run; a read token is refused consult_council as a tool error', async ({
  bed,
}) => {
  const long = Array.from({ length: 400 }, (_, i) => `w${i}`).join(' ');
  for (const model of COUNCIL) bed.upstream.setBehavior(model, { tokenDelayMs: 25, reply: () => long });
  const owner = await signUpWithKey(bed.server);
  const { token } = await owner.client.tokens.create.mutate({
    name: 'stdio',
    scopes: ['read', 'council'],
    password: STRONG_PASSWORD,
  });
  const { mcp } = await startStdio({ LLM_COUNCIL_URL: bed.server.url, LLM_COUNCIL_TOKEN: token });
  const abort = new AbortController();
  const call = mcp
    .callTool({ name: 'consult_council', arguments: { question: 'Slowly, please.' } }, undefined, {
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

  const { token: readToken } = await owner.client.tokens.create.mutate({
    name: 'read',
    scopes: ['read'],
    password: STRONG_PASSWORD,
  });
  const reader = await startStdio({ LLM_COUNCIL_URL: bed.server.url, LLM_COUNCIL_TOKEN: readToken });
  const refused = (await reader.mcp.callTool({
    name: 'consult_council',
    arguments: { question: 'May I?' },
  })) as CallToolResult;
  expect(refused.isError).toBe(true);
  expect(JSON.stringify(refused.content)).toContain('lacks the \\"council\\" scope');
  await reader.mcp.close();
});
