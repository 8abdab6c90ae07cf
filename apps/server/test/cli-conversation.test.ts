import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { councilTest } from './helpers/fixtures.js';
import { COUNCIL, councilReply, requestsOf } from './helpers/council-harness.js';
import { ownerWithToken, runCli } from './helpers/run-cli.js';

// The `llm-council` command as a product: continuing a conversation, the verdict and ranking
// table, whoami/logout and an unreachable server.

const test = councilTest();

test('ask prints the verdict and the ranking table; --conversation continues that conversation', async ({ bed }) => {
  for (const model of COUNCIL)
    bed.upstream.setBehavior(model, { reply: councilReply({ ranking: (l) => [...l].reverse() }) });
  const { owner, env } = await ownerWithToken(bed, ['read', 'council']);
  const first = await runCli(['ask', 'Which knot holds best?'], env);
  expect({ code: first.code, stderr: first.stderr }).toMatchObject({ code: 0 });
  expect(first.stderr).toMatch(/^Verdict: /m);
  expect(first.stderr).toMatch(/^# +model +avg rank +votes$/m);
  for (const model of COUNCIL)
    // Shared places are marked "1=" (reading in reversed order, the peers may tie).
    expect(first.stderr).toMatch(new RegExp(`^\\d+=? +${model.replace('/', '\\/')} +\\d\\.\\d\\d +\\d+$`, 'm'));
  // stdout stays just the answer, so `> answer.md` keeps only that.
  expect(first.stdout).toBe("The council's final answer, weighing every response and review.\n");
  const conversationId = /Conversation ([0-9a-f-]{36})/.exec(first.stderr)?.[1];

  const second = await runCli(['ask', '--conversation', conversationId!, 'And for climbing?'], env);
  expect({ code: second.code, stderr: second.stderr }).toMatchObject({ code: 0 });
  expect(second.stderr).toContain(`Conversation ${conversationId}`);
  const conversation = await owner.client.conversations.get.query({ id: conversationId! });
  expect(conversation.messages.filter((m) => m.role === 'user').map((m) => m.content)).toEqual([
    'Which knot holds best?',
    'And for climbing?',
  ]);
  expect(JSON.stringify(requestsOf(bed.upstream, 'stage1', COUNCIL[0]).at(-1)?.messages)).toContain(
    'Which knot holds best?',
  );

  // Someone else's conversation (or a made-up id) is refused with the server's reason, nothing asked.
  const other = await ownerWithToken(bed, ['read', 'council']);
  const refused = await runCli(['ask', '--conversation', conversationId!, 'Mine now?'], other.env);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/not found/i);
  expect((await owner.client.conversations.get.query({ id: conversationId! })).messages).toHaveLength(4);
});

test('whoami names the account and server; logout forgets the stored login, after which commands exit 3', async ({
  bed,
}) => {
  const { owner, token } = await ownerWithToken(bed, ['council']); // any valid token, whatever its scopes
  const configHome = mkdtempSync(join(tmpdir(), 'llmc-whoami-'));
  const home = { XDG_CONFIG_HOME: configHome };
  expect((await runCli(['login', '--url', bed.server.url, '--token', token], home)).code).toBe(0);
  const me = await owner.client.auth.me.query();

  const whoami = await runCli(['whoami'], home);
  expect({ code: whoami.code, stdout: whoami.stdout }).toEqual({
    code: 0,
    stdout: `${me.email} on ${bed.server.url}\n`,
  });
  expect(whoami.stdout + whoami.stderr).not.toContain(token);

  const logout = await runCli(['logout'], home);
  expect(logout.code).toBe(0);
  expect(existsSync(join(configHome, 'llm-council', 'login.json'))).toBe(false);
  const after = await runCli(['whoami'], home);
  expect(after.code).toBe(3);
  expect(after.stderr).toContain('Not signed in');
  // A revoked token is refused by whoami too.
  const [listed] = await owner.client.tokens.list.query();
  await owner.client.tokens.revoke.mutate({ id: listed!.id });
  const revoked = await runCli(['whoami'], { LLM_COUNCIL_URL: bed.server.url, LLM_COUNCIL_TOKEN: token });
  expect(revoked.code).toBe(3);
});

test('a server that cannot be reached is named with the reason, exit 1', async () => {
  // A port nothing listens on: bind one, note it, close it.
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const { port } = probe.address() as AddressInfo;
  await new Promise((done) => probe.close(done));
  const url = `http://127.0.0.1:${port}`;
  const run = await runCli(['list'], { LLM_COUNCIL_URL: url, LLM_COUNCIL_TOKEN: 'llmc_pat_unused' });
  expect(run.code).toBe(1);
  expect(run.stderr).toBe(`llm-council: cannot reach ${url}: connect ECONNREFUSED 127.0.0.1:${port}\n`);
});

test('a port fetch refuses to connect to (no system error code) is also "cannot reach", exit 1', async () => {
  // Port 1 is on fetch's blocked-port list: it fails with "bad port" before any connection.
  const url = 'http://127.0.0.1:1';
  const run = await runCli(['whoami'], { LLM_COUNCIL_URL: url, LLM_COUNCIL_TOKEN: 'llmc_pat_unused' });
  expect(run.code).toBe(1);
  expect(run.stderr).toBe(`llm-council: cannot reach ${url}: bad port\n`);
});
