import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { councilTest } from './helpers/fixtures.js';
import { COUNCIL, CHAIRMAN, councilReply, waitForRunStatus } from './helpers/council-harness.js';
import { ownerWithToken, runCli } from './helpers/run-cli.js';

// The built `llm-council` command (packages/cli/dist/main.js), run as a child process against a
// real server and the fake upstream: exit codes 0/1/2/3, streaming, search, export, login's
// 0600 file, Ctrl-C (security case 71).

const test = councilTest();

test('ask streams the chairman’s answer to stdout, plain progress lines to stderr, and exits 0; search and export find it', async ({
  bed,
}) => {
  const { owner, env, token } = await ownerWithToken(bed, ['read', 'council']);
  const asked = await runCli(['ask', 'Why is the zeppelin shaped like that?'], env);
  expect(asked.stderr).not.toContain('\x1b['); // not a terminal: no redraws, no spinner
  expect({ code: asked.code, stderr: asked.stderr }).toMatchObject({ code: 0 });
  expect(asked.stdout).toBe("The council's final answer, weighing every response and review.\n");
  expect(asked.stdoutChunks).toBeGreaterThan(1);
  for (const model of COUNCIL) expect(asked.stderr).toContain(`${model}: answered\n`);
  expect(asked.stderr).toContain(`${CHAIRMAN} (chairman): done\n`);
  // The verdict in plain words, then the peer ranking with its places.
  expect(asked.stderr).toMatch(/\nVerdict: (Clear winner|Close|Split)\. .+\n# +model +avg rank +votes\n1=? /);
  const conversationId = /Conversation ([0-9a-f-]{36})/.exec(asked.stderr)?.[1];
  expect(conversationId).toBeDefined();

  const listed = await runCli(['list'], env);
  expect(listed.code).toBe(0);
  expect(listed.stdout).toContain(conversationId);

  const found = await runCli(['search', 'zeppelin'], env);
  expect({ code: found.code, stderr: found.stderr }).toEqual({ code: 0, stderr: '' });
  expect(found.stdout.split('\n')[0]).toMatch(new RegExp(`^${conversationId}  `));
  expect(found.stdout).not.toContain('<mark>');
  expect((await runCli(['search', 'albatross'], env)).stdout).toBe('No conversation matches.\n');

  const markdown = await runCli(['export', conversationId!, '--format', 'markdown'], env);
  expect(markdown.code).toBe(0);
  expect(markdown.stdout).toContain('Why is the zeppelin shaped like that?');
  expect(markdown.stdout).toContain("The council's final answer");
  const json = await runCli(['export', conversationId!, '--format', 'json'], env);
  expect(json.code).toBe(0);
  expect(JSON.stringify(JSON.parse(json.stdout))).toContain(conversationId);

  const exported = await owner.client.conversations.get.query({ id: conversationId! });
  expect(exported.messages).toHaveLength(2);
  for (const run of [asked, listed, found, markdown, json]) expect(run.stdout + run.stderr).not.toContain(token);
});

test('ask --json prints every event as a JSON line; --models and --chairman choose the models', async ({ bed }) => {
  const { env } = await ownerWithToken(bed, ['council']);
  const asked = await runCli(
    ['ask', '--json', '--models', 'test/alpha,test/beta', '--chairman', 'test/gamma', 'Two only?'],
    env,
  );
  expect({ code: asked.code, stderr: asked.stderr }).toEqual({ code: 0, stderr: '' });
  const events = asked.stdout
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { event: { type: string; models?: string[]; chairmanModel?: string } }).event);
  expect(events[0]).toMatchObject({
    type: 'run_started',
    models: ['test/alpha', 'test/beta'],
    chairmanModel: 'test/gamma',
  });
  expect(events.at(-1)?.type).toBe('run_completed');
});

test('ask --council <name> runs a saved council and --mode overrides its mode: a ranked run prints the top-ranked answer and says so; an unknown council exits 2 listing the councils', async ({
  bed,
}) => {
  for (const model of COUNCIL) {
    bed.upstream.setBehavior(model, { tokenDelayMs: 1, reply: councilReply({ answer: () => `${model} says: lift.` }) });
  }
  const { owner, env } = await ownerWithToken(bed, ['council']);
  await owner.client.councils.create.mutate({
    name: 'Aero panel',
    models: ['test/alpha', 'test/beta'],
    chairmanModel: CHAIRMAN,
    instructions: 'Speak as an aerodynamicist.',
  });
  const ranked = await runCli(['ask', '--council', 'aero panel', '--mode', 'ranked', 'Why do wings lift?'], env);
  expect(ranked.code).toBe(0);
  const top = /^Top-ranked answer \((test\/\w+)\); ranked mode: answers and peer review, no synthesis\.$/m.exec(
    ranked.stderr,
  )?.[1];
  expect(['test/alpha', 'test/beta']).toContain(top);
  expect(ranked.stdout).toBe(`${top} says: lift.\n`);
  expect(ranked.stderr).toMatch(/\nVerdict: /);
  expect(ranked.stderr).not.toContain('(chairman)'); // no chairman to wait for
  expect(bed.upstream.requests.map((r) => r.model)).not.toContain(CHAIRMAN);
  expect(bed.upstream.requests.find((r) => r.model === 'test/alpha')?.messages[0]).toMatchObject({
    role: 'system',
    content: 'Speak as an aerodynamicist.',
  });

  const unknown = await runCli(['ask', '--council', 'test/alpha,test/beta', 'Hm?'], env);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toBe(
    'llm-council: --council: no saved council is named "test/alpha,test/beta"; the councils you can ask: "Aero panel" (to choose models, use --models a,b)\n',
  );
  expect((await owner.client.conversations.list.query()).items).toHaveLength(2); // signUpWithKey's and the ranked run
});

test('case 71: a bad, revoked or missing token exits 3; a read token cannot ask (3) and starts nothing', async ({
  bed,
}) => {
  const { owner, env, token } = await ownerWithToken(bed, ['read']);
  const url = bed.server.url;
  const forged = await runCli(['list'], { LLM_COUNCIL_URL: url, LLM_COUNCIL_TOKEN: `${token.slice(0, -4)}AAAA` });
  expect(forged.code).toBe(3);
  expect(forged.stderr).toContain('invalid, expired or revoked');
  expect((await runCli(['list'], { LLM_COUNCIL_URL: url })).code).toBe(3);

  const refused = await runCli(['ask', 'not allowed'], env);
  expect(refused.code).toBe(3);
  expect(refused.stderr).toContain('lacks the "council" scope');
  expect((await owner.client.conversations.list.query()).items).toHaveLength(1); // only signUpWithKey's

  const [listed] = await owner.client.tokens.list.query();
  await owner.client.tokens.revoke.mutate({ id: listed!.id });
  expect((await runCli(['list'], env)).code).toBe(3);
});

test('usage errors exit 2 with a message: no question, an unknown format or command, a bad --models or --mode', async ({
  bed,
}) => {
  const { env } = await ownerWithToken(bed, ['read', 'council']);
  for (const args of [
    ['ask'],
    ['export', crypto.randomUUID(), '--format', 'pdf'],
    ['frobnicate'],
    ['ask', '--models', ',', 'q'],
    ['ask', '--mode', 'chairman-only', 'q'],
    ['list', '--limit', 'many'],
  ]) {
    const run = await runCli(args, env);
    expect({ args, code: run.code }).toEqual({ args, code: 2 });
    expect(run.stderr).toMatch(/error|invalid|argument/i);
  }
  const help = await runCli(['--help'], env);
  expect(help.code).toBe(0);
  expect(help.stdout).toContain('llm-council');
});

test('case 71: login --token stores it in $XDG_CONFIG_HOME/llm-council with mode 0600, and later commands use it', async ({
  bed,
}) => {
  const { owner, env, token } = await ownerWithToken(bed, ['read']);
  const configHome = mkdtempSync(join(tmpdir(), 'llmc-login-'));
  const home = { XDG_CONFIG_HOME: configHome };
  const login = await runCli(['login', '--url', bed.server.url, '--token', token], home);
  expect({ code: login.code, stderr: login.stderr }).toMatchObject({ code: 0 });
  expect(login.stdout + login.stderr).not.toContain(token);
  const file = join(configHome, 'llm-council', 'login.json');
  expect(statSync(file).mode & 0o777).toBe(0o600);
  expect(statSync(join(configHome, 'llm-council')).mode & 0o777).toBe(0o700);
  expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ url: bed.server.url, token });

  const listed = await runCli(['list'], home);
  expect(listed.code).toBe(0);
  expect(listed.stdout).toContain(owner.conversationId);
  const bad = await runCli(['login', '--url', bed.server.url, '--token', 'llmc_pat_nope'], home);
  expect(bad.code).toBe(3);
  expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ url: env.LLM_COUNCIL_URL, token }); // unchanged
});

// Issue 17: a stored token went to whatever LLM_COUNCIL_URL named, and an existing config
// directory kept its mode (0755). Both fail on old main.
test('case 86: a stored token is sent only to the URL it was issued for; another URL needs its own login', async ({
  bed,
}) => {
  const { owner, token } = await ownerWithToken(bed, ['read']);
  const configHome = mkdtempSync(join(tmpdir(), 'llmc-bound-'));
  const home = { XDG_CONFIG_HOME: configHome };
  expect((await runCli(['login', '--url', `${bed.server.url}/`, '--token', token], home)).code).toBe(0);

  // Another server (here a listener that records what reaches it) never sees the token.
  const seen: string[] = [];
  const other = createServer((req, res) => {
    seen.push(`${req.url} ${req.headers.authorization ?? ''}`);
    res.writeHead(500).end();
  });
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  try {
    const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    const elsewhere = await runCli(['list'], { ...home, LLM_COUNCIL_URL: otherUrl });
    expect(elsewhere.code).toBe(3);
    expect(elsewhere.stderr).toContain(`The stored login is for ${bed.server.url}, not ${otherUrl}`);
    expect(elsewhere.stderr).toContain(`llm-council login --url ${otherUrl}`);
    expect(seen).toEqual([]);
  } finally {
    other.close();
  }
  // The same server, named with or without a trailing slash, still uses the stored login.
  const same = await runCli(['list'], { ...home, LLM_COUNCIL_URL: `${bed.server.url}/` });
  expect({ code: same.code, stderr: same.stderr }).toMatchObject({ code: 0 });
  expect(same.stdout).toContain(owner.conversationId);
});

test('case 86: login tightens an existing config directory to 0700 and replaces a readable login file with a 0600 one', async ({
  bed,
}) => {
  const { token } = await ownerWithToken(bed, ['read']);
  const configHome = mkdtempSync(join(tmpdir(), 'llmc-perms-'));
  const dir = join(configHome, 'llm-council');
  mkdirSync(dir, { mode: 0o755 });
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, 'login.json'), '{}', { mode: 0o644 });
  chmodSync(join(dir, 'login.json'), 0o644);

  const login = await runCli(['login', '--url', bed.server.url, '--token', token], { XDG_CONFIG_HOME: configHome });
  expect({ code: login.code, stderr: login.stderr }).toMatchObject({ code: 0 });
  expect(statSync(dir).mode & 0o777).toBe(0o700);
  expect(statSync(join(dir, 'login.json')).mode & 0o777).toBe(0o600);
  expect(JSON.parse(readFileSync(join(dir, 'login.json'), 'utf8'))).toEqual({ url: bed.server.url, token });
  expect(readdirSync(dir)).toEqual(['login.json']); // no temporary file left behind
});

test('Ctrl-C during ask cancels the run on the server and exits 130', async ({ bed }) => {
  const { owner, env } = await ownerWithToken(bed, ['read', 'council']);
  for (const model of COUNCIL) bed.upstream.setBehavior(model, { tokenDelayMs: 200, reply: councilReply() });
  let isSent = false;
  const run = await runCli(['ask', 'A slow question'], env, {
    onStderr: (text, child) => {
      if (isSent || !text.includes(': answering')) return;
      isSent = true;
      child.kill('SIGINT');
    },
  });
  expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: 130 });
  expect(run.stderr).toContain('Cancelling the run');
  const [conversation] = (await owner.client.conversations.list.query()).items.filter((c) => c.messageCount > 0);
  const { runs } = await owner.client.conversations.get.query({ id: conversation!.id });
  await waitForRunStatus(owner.client, runs[0]!.id, ['cancelled']);
});
