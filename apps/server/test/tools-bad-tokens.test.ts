import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import OpenAI from 'openai';
import { fixedApiSettings } from '@llm-council/api';
import { expect } from 'vitest';
import { councilTest } from './helpers/fixtures.js';
import { STRONG_PASSWORD } from './helpers/test-server.js';
import { signUpWithKey } from './helpers/council-harness.js';

// Bad access tokens on the token-only endpoints (/mcp, /v1), counted per address: past the limit
// an address gets 429 with Retry-After before its token is looked at (security case 93), and the
// limit holds when the bad tokens arrive all at once (case 94). Driven by the official MCP SDK
// `Client` and the `openai` package against a real server. Each test speaks from its own address
// (X-Forwarded-For through a trusted loopback proxy), so their counts do not mix.

const test = councilTest({ env: { TRUST_PROXY: 'loopback' } });
const rule = fixedApiSettings.rateLimits.badAccessTokensPerIp;

async function tokenFor(bed: { server: Parameters<typeof signUpWithKey>[0] }) {
  const owner = await signUpWithKey(bed.server);
  const { token } = await owner.client.tokens.create.mutate({
    name: 'tools',
    scopes: ['read', 'council'],
    password: STRONG_PASSWORD,
  });
  return { owner, token };
}

async function connectMcp(url: string, token: string, address: string): Promise<Client> {
  const client = new Client({ name: 'bad-token-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
    requestInit: { headers: { Authorization: `Bearer ${token}`, 'X-Forwarded-For': address } },
  });
  await client.connect(transport);
  return client;
}

function openAi(url: string, token: string, address: string): OpenAI {
  return new OpenAI({
    apiKey: token,
    baseURL: `${url}/v1`,
    maxRetries: 0,
    defaultHeaders: { 'X-Forwarded-For': address },
  });
}

/** A raw MCP initialize, to read the status and headers the client does not surface. */
function initialize(url: string, token: string, address: string): Promise<Response> {
  return fetch(`${url}/mcp`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      Authorization: `Bearer ${token}`,
      'X-Forwarded-For': address,
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    }),
  });
}

test('case 93: bad and revoked tokens are 401 up to the limit, then the address gets 429 with Retry-After on /mcp and /v1 — a valid token too — until the window ends; other addresses are unaffected', async ({
  bed,
}) => {
  const url = bed.server.url;
  const address = '198.51.100.93';
  const { owner, token } = await tokenFor(bed);
  const { token: revoked } = await owner.client.tokens.create.mutate({
    name: 'to revoke',
    scopes: ['council'],
    password: STRONG_PASSWORD,
  });
  const listed = await owner.client.tokens.list.query();
  await owner.client.tokens.revoke.mutate({ id: listed.find((t) => t.name === 'to revoke')!.id });
  const forged = `${token.slice(0, -4)}AAAA`;

  // Up to the limit each bad token is a plain 401, on either endpoint, before any MCP message.
  for (let i = 0; i < rule.limit; i += 1) {
    if (i % 2 === 0) {
      const refused = await connectMcp(url, i % 4 === 0 ? forged : revoked, address).catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: 401 });
    } else {
      const refused = await openAi(url, i % 4 === 1 ? forged : revoked, address)
        .models.list()
        .catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(OpenAI.AuthenticationError);
    }
  }

  // Past it: 429 with Retry-After, for a valid token as well (it is not even looked at).
  const mcpRefused = await connectMcp(url, token, address).catch((e: unknown) => e);
  expect(mcpRefused).toMatchObject({ code: 429 });
  const raw = await initialize(url, token, address);
  expect(raw.status).toBe(429);
  const wait = Number(raw.headers.get('retry-after'));
  expect(wait).toBeGreaterThan(0);
  expect(wait).toBeLessThanOrEqual(rule.windowSeconds);
  const body = (await raw.json()) as { error: { message: string } };
  expect(body.error.message).toContain('Too many invalid access tokens');
  const v1Refused = await openAi(url, token, address)
    .models.list()
    .catch((e: unknown) => e);
  expect(v1Refused).toBeInstanceOf(OpenAI.RateLimitError);
  const v1Error = v1Refused as InstanceType<typeof OpenAI.RateLimitError>;
  expect(Number(v1Error.headers?.get('retry-after'))).toBeGreaterThan(0);
  expect(v1Error.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limited' });

  // Another address is not held to this one's count.
  const elsewhere = await connectMcp(url, token, '198.51.100.193');
  expect((await elsewhere.listTools()).tools.length).toBeGreaterThan(0);
  await elsewhere.close();

  // The window ends: the valid token works again from the same address.
  bed.server.advanceClock(rule.windowSeconds + 1);
  const again = await connectMcp(url, token, address);
  expect((await again.listTools()).tools.length).toBeGreaterThan(0);
  await again.close();
  expect((await openAi(url, token, address).models.list()).data.map((m) => m.id)).toContain('council');
});

test('case 94: bad tokens sent all at once get exactly the limit of 401s; the rest are 429 with Retry-After, nothing fails otherwise', async ({
  bed,
}) => {
  const url = bed.server.url;
  const address = '198.51.100.94';
  const { token } = await tokenFor(bed);
  const forged = `${token.slice(0, -4)}BBBB`;
  const attempts = rule.limit * 3;
  const outcomes = await Promise.all(
    Array.from({ length: attempts }, async (_, i) => {
      if (i % 2 === 0) {
        const response = await initialize(url, forged, address);
        return { status: response.status, retryAfter: response.headers.get('retry-after') };
      }
      const error = await openAi(url, forged, address)
        .models.list()
        .then(() => null)
        .catch((e: unknown) => e);
      if (!(error instanceof OpenAI.APIError)) return { status: 200, retryAfter: null };
      const apiError = error as InstanceType<typeof OpenAI.APIError>;
      return { status: apiError.status, retryAfter: apiError.headers?.get('retry-after') ?? null };
    }),
  );
  const statuses = outcomes.map((o) => o.status);
  expect(new Set(statuses)).toEqual(new Set([401, 429]));
  expect(statuses.filter((s) => s === 401)).toHaveLength(rule.limit);
  expect(statuses.filter((s) => s === 429)).toHaveLength(attempts - rule.limit);
  for (const refused of outcomes.filter((o) => o.status === 429)) expect(Number(refused.retryAfter)).toBeGreaterThan(0);
  // And the address stays refused afterwards, a valid token included.
  expect((await initialize(url, token, address)).status).toBe(429);
});
