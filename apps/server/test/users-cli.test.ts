import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createDb, type DbHandle } from '@llm-council/db';
import { createTestDataDir, createTestDb, isUsingRealPostgres } from '@llm-council/db/testing';
import { expect, inject, test } from 'vitest';
import { failureOf } from './helpers/http.js';
import { registerUser, startTestServer, testSecrets, uniqueEmail } from './helpers/test-server.js';

// The operator's `pnpm users:*` commands, spawned for real against a real database: PGlite in a
// data directory (no server may hold it meanwhile), or a PostgreSQL database a live server also
// uses — there a disable takes effect on the signed-in user's very next call (case 57).

const run = promisify(execFile);
const serverDir = join(import.meta.dirname, '..');
const rootDir = join(serverDir, '..', '..');

interface Target {
  env: Record<string, string>;
  open(): Promise<DbHandle>;
  close(): Promise<void>;
}

/** A migrated database the CLI can reach, on the engine the suite runs on. */
async function prepareTarget(): Promise<Target> {
  const dataDir = mkdtempSync(join(tmpdir(), 'llmc-users-cli-'));
  const env = { NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...testSecrets() };
  if (isUsingRealPostgres()) {
    const handle = await createTestDb();
    return {
      env: { ...env, DATABASE_URL: handle.url ?? '' },
      open: () => Promise.resolve(handle),
      close: () => handle.close(),
    };
  }
  await createTestDataDir(dataDir);
  return { env, open: () => createDb({ dataDir }), close: () => Promise.resolve() };
}

async function cli(target: Target, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    // --liftoff-only as in council-process.ts: PGlite's WebAssembly is not worth optimising here.
    // The run's bundle of src/users-cli.ts (build-users-cli.global-setup.ts), or the source under tsx.
    const bundle = inject('usersCliBundle');
    const entry = bundle ? [bundle] : ['--import', 'tsx', 'src/users-cli.ts'];
    const { stdout, stderr } = await run(process.execPath, ['--liftoff-only', ...entry, ...args], {
      cwd: serverDir,
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...target.env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

async function insertUsers(target: Target, emails: string[]): Promise<void> {
  const handle = await target.open();
  await handle.db
    .insertInto('users')
    .values(emails.map((email) => ({ email, passwordHash: 'not-a-real-hash' })))
    .execute();
  if (!isUsingRealPostgres()) await handle.close();
}

test('users:list, invite, promote, server-key, disable, audit and delete work on the real database (case 57)', async () => {
  const target = await prepareTarget();
  try {
    const [alice, bob] = [uniqueEmail('alice'), uniqueEmail('bob')];
    await insertUsers(target, [alice, bob]);

    const invite = await cli(target, 'invite', '--email', 'Invitee@Example.test');
    expect(invite.code, invite.stderr).toBe(0);
    const code = /Invite code: (\S+)/.exec(invite.stdout)?.[1];
    expect(code).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(invite.stdout).toContain('for invitee@example.test');

    for (const args of [
      ['promote', alice],
      ['server-key', bob, 'off'],
      ['disable', bob],
    ]) {
      const outcome = await cli(target, ...args);
      expect(outcome.code, `${args.join(' ')}: ${outcome.stderr}`).toBe(0);
    }
    const list = await cli(target, 'list');
    expect(list.stdout).toMatch(
      new RegExp(`${alice}\\s+created \\S+\\s+spent today 0 tokens \\$0\\.0000\\s+\\[admin\\]`),
    );
    expect(list.stdout).toMatch(
      new RegExp(`${bob}\\s+created \\S+\\s+spent today 0 tokens \\$0\\.0000\\s+\\[disabled \\S+, server-key off\\]`),
    );

    const audit = await cli(target, 'audit', bob);
    expect(audit.stdout).toMatch(/user_disabled/);
    expect(audit.stdout).toMatch(/server_key_changed/);

    const missing = await cli(target, 'disable', 'nobody@example.test');
    expect(missing).toMatchObject({ code: 1 });
    expect(missing.stderr).toContain('No user with the email nobody@example.test');
    const wrong = await cli(target, 'frobnicate');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('Usage: pnpm users:<command>');

    expect((await cli(target, 'delete', bob)).code).toBe(0);
    const handle = await target.open();
    const left = await handle.db.selectFrom('users').select('email').execute();
    expect(left.map((u) => u.email)).toEqual([alice]);
    const invites = await handle.db.selectFrom('invites').select(['codeHash', 'email']).execute();
    expect(invites).toHaveLength(1);
    expect(invites[0]?.email).toBe('invitee@example.test');
    expect(invites[0]?.codeHash).not.toContain(code);
    if (!isUsingRealPostgres()) await handle.close();
  } finally {
    await target.close();
  }
}, 240_000);

test('the root script `pnpm users:list` reaches the CLI', async () => {
  const target = await prepareTarget();
  try {
    await insertUsers(target, [uniqueEmail('root')]);
    const { stdout } = await run('pnpm', ['--silent', 'users:list'], {
      cwd: rootDir,
      env: { ...process.env, ...target.env, TEST_DATABASE_URL: '' },
      timeout: 90_000,
    });
    expect(stdout).toMatch(/root-\S+@example\.test\s+created/);
  } finally {
    await target.close();
  }
}, 120_000);

test.runIf(isUsingRealPostgres())(
  'users:disable from the CLI refuses a signed-in user on their next call (case 57)',
  async () => {
    const server = await startTestServer();
    try {
      const target: Target = {
        env: { NODE_ENV: 'test', DATABASE_URL: server.dbHandle.url ?? '', LOG_LEVEL: 'warn', ...testSecrets() },
        open: () => Promise.resolve(server.dbHandle),
        close: () => Promise.resolve(),
      };
      const carol = await registerUser(server, uniqueEmail('carol'));
      await carol.client.conversations.list.query({});
      const outcome = await cli(target, 'disable', carol.email);
      expect(outcome.code, outcome.stderr).toBe(0);
      expect(await failureOf(carol.client.conversations.list.query({}))).toMatchObject({
        appCode: 'ACCOUNT_DISABLED',
      });
    } finally {
      await server.close();
    }
  },
  120_000,
);

// Issue 17: `users:audit` printed stored text raw, so a User-Agent sent at sign-in could clear the
// operator's screen, retitle the terminal or forge a line of the log. Fails on old main.
test('case 84: users:audit prints User-Agent and other stored text with C0/C1 control characters escaped', async () => {
  const target = await prepareTarget();
  try {
    const email = uniqueEmail('escapes');
    await insertUsers(target, [email]);
    const handle = await target.open();
    const user = await handle.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow();
    const hostile = 'Mozilla\u001b[2J\u001b]0;pwned\u0007\u009b31m\nFAKE sign_in 1.2.3.4\u007f';
    await handle.db
      .insertInto('auditEvents')
      .values({
        userId: user.id,
        event: 'sign_in',
        ip: '203.0.113.9',
        userAgent: hostile,
        detail: JSON.stringify({ origin: 'https://evil.example\u001b[0m' }),
      })
      .execute();
    if (!isUsingRealPostgres()) await handle.close();

    const audit = await cli(target, 'audit', email);
    expect(audit.code, audit.stderr).toBe(0);
    // eslint-disable-next-line no-control-regex -- no control character may reach the terminal
    expect(audit.stdout.trimEnd()).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(audit.stdout.trimEnd().split('\n')).toHaveLength(1); // the forged line stays on the row
    expect(audit.stdout).toContain('Mozilla\\x1b[2J\\x1b]0;pwned\\x07\\x9b31m\\x0aFAKE sign_in 1.2.3.4\\x7f');
    expect(audit.stdout).toContain('origin=https://evil.example\\x1b[0m');
  } finally {
    await target.close();
  }
}, 120_000);

/** A conversation with one run of `email`'s, and the ledger rows of the two calls it paid today. */
async function insertPaidRun(target: Target, email: string): Promise<string> {
  const handle = await target.open();
  const user = await handle.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow();
  const conversation = await handle.db
    .insertInto('conversations')
    .values({ userId: user.id, title: 'Paid' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const message = await handle.db
    .insertInto('messages')
    .values({ conversationId: conversation.id, role: 'user', content: 'Why?', position: 0 })
    .returning('id')
    .executeTakeFirstOrThrow();
  const run = await handle.db
    .insertInto('councilRuns')
    .values({
      userId: user.id,
      conversationId: conversation.id,
      userMessageId: message.id,
      status: 'completed',
      provider: 'openrouter',
      models: JSON.stringify(['openai/gpt-4o']),
      chairmanModel: 'openai/gpt-4o',
      attempt: 1,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const call = { userId: user.id, runId: run.id, provider: 'openrouter', model: 'openai/gpt-4o', reasoningTokens: 0 };
  await handle.db
    .insertInto('spendLedger')
    .values([
      { ...call, keySource: 'own', stage: 'stage1', promptTokens: 1000, completionTokens: 234, cost: 0.0125 },
      { ...call, keySource: 'server', stage: 'stage3', promptTokens: 2000, completionTokens: 100, cost: 0.5 },
    ])
    .execute();
  if (!isUsingRealPostgres()) await handle.close();
  return conversation.id;
}

// Issue 17 §1: `pnpm users:*` read the spend ledger. Before it, users:list showed no spend at all,
// and every other reading summed the runs, which deleting a conversation emptied.
test('users:list shows each user spend today from the ledger, and deleting a conversation does not change it', async () => {
  const target = await prepareTarget();
  try {
    const [payer, idle] = [uniqueEmail('payer'), uniqueEmail('idle')];
    await insertUsers(target, [payer, idle]);
    const conversationId = await insertPaidRun(target, payer);
    const spent = new RegExp(`${payer}\\s+created \\S+\\s+spent today 3334 tokens \\$0\\.5125`);

    const before = await cli(target, 'list');
    expect(before.code, before.stderr).toBe(0);
    expect(before.stdout).toMatch(spent);
    expect(before.stdout).toMatch(new RegExp(`${idle}\\s+created \\S+\\s+spent today 0 tokens \\$0\\.0000`));

    const handle = await target.open();
    await handle.db.deleteFrom('conversations').where('id', '=', conversationId).execute();
    expect(
      await handle.db.selectFrom('councilRuns').select('id').where('conversationId', '=', conversationId).execute(),
    ).toEqual([]);
    if (!isUsingRealPostgres()) await handle.close();

    const after = await cli(target, 'list');
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toMatch(spent);
  } finally {
    await target.close();
  }
}, 120_000);
