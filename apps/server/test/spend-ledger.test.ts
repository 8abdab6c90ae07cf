import { setServerKeyAllowed } from '@llm-council/api';
import { expect } from 'vitest';
import { createLogger } from '../src/logger.js';
import { councilTest } from './helpers/fixtures.js';
import { failureOf } from './helpers/http.js';
import {
  COUNCIL,
  TITLE_MODEL,
  councilReply,
  followToEnd,
  signUpWithKey,
  waitForRunStatus,
  type CouncilTestbed,
} from './helpers/council-harness.js';
import { STRONG_PASSWORD } from './helpers/test-server.js';

// Issue 17 §1: spend that deletion and import cannot change (security cases 88–92). Every test
// here fails on the main before the spend ledger: budgets were summed from the stored answers
// (deleting conversations reset them, importing one added to them), a start reserved output
// tokens only, nothing stopped a call inside an admitted run, and a retry checked neither the
// catalogue, nor the title model, nor the operator's allowlist for it.

const SERVER_KEY = 'sk-or-v1-operator-fallback-key-2222';
// Every call reports 200 tokens and $0.001: a first run (3 answers, 3 reviews, chairman, title)
// records 1,600 tokens. A start reserves ~4,100–4,400 tokens (prompts + SERVER_KEY_MAX_TOKENS per call).
const TOKENS_PER_RUN = 1_600;
const CAP = 6_000;

const base = councilTest({
  env: {
    OPENROUTER_API_KEY: SERVER_KEY,
    SERVER_KEY_USERS: 'admins',
    SERVER_KEY_MAX_TOKENS: '100',
    SERVER_KEY_DAILY_TOKENS: String(CAP),
    MAX_CONCURRENT_RUNS_PER_USER: '10',
  },
  upstream: {
    defaultBehavior: {
      tokenDelayMs: 1,
      reply: councilReply(),
      usage: { promptTokens: 100, completionTokens: 100 },
      cost: 0.001,
    },
  },
});

const test = base;

type User = Awaited<ReturnType<typeof signUpWithKey>>;

/** A user without a key of their own whom the operator allowed on the server key (`users:server-key on`). */
async function serverKeyUser(bed: CouncilTestbed): Promise<User> {
  const user = await signUpWithKey(bed.server, null);
  const { email } = await user.client.auth.me.query();
  const deps = {
    db: bed.server.db,
    logger: createLogger('silent'),
    now: () => new Date(),
    config: bed.server.config.api,
  };
  await setServerKeyAllowed(deps, email, true);
  return user;
}

async function ownKeyUser(bed: CouncilTestbed, tokenCap: number | null = CAP): Promise<User> {
  const user = await signUpWithKey(bed.server);
  await user.client.settings.setDailyBudget.mutate({ tokens: tokenCap, usd: null });
  return user;
}

/** A question in a new conversation of the user's, run to completion. */
async function runInNewConversation(user: User, content: string): Promise<{ conversationId: string; runId: string }> {
  const { id: conversationId } = await user.client.conversations.create.mutate({});
  const { runId } = await user.client.council.start.mutate({ conversationId, content });
  const events = await followToEnd(user.client, runId);
  expect(events.at(-1)?.event.type).toBe('run_completed');
  return { conversationId, runId };
}

const today = () => {
  const from = new Date();
  from.setUTCHours(0, 0, 0, 0);
  return { from: from.toISOString(), to: new Date(from.getTime() + 86_400_000).toISOString() };
};

async function refusedStart(user: User) {
  const { id: conversationId } = await user.client.conversations.create.mutate({});
  return failureOf(user.client.council.start.mutate({ conversationId, content: 'One more?' }));
}

test('case 88: deleting conversations after the daily cap refused a run does not give the budget back (own cap and server key)', async ({
  bed,
}) => {
  const own = await ownKeyUser(bed);
  const onServerKey = await serverKeyUser(bed);
  for (const [user, budget] of [
    [own, 'own'],
    [onServerKey, 'server'],
  ] as const) {
    const first = await runInNewConversation(user, 'First');
    const second = await runInNewConversation(user, 'Second');
    const refused = await refusedStart(user);
    expect(refused.appCode).toBe('BUDGET_EXCEEDED');

    // On the old main this reset the day's use to 0 and let the next run through.
    for (const { conversationId } of [first, second])
      await user.client.conversations.delete.mutate({ id: conversationId });
    const asked = bed.upstream.requests.length;
    const again = await refusedStart(user);
    expect(again).toMatchObject({ code: 'TOO_MANY_REQUESTS', appCode: 'BUDGET_EXCEEDED' });
    expect(again.message).toContain(`${2 * TOKENS_PER_RUN} of ${CAP} tokens used`);
    expect(bed.upstream.requests).toHaveLength(asked);
    expect((await user.client.settings.dailyBudget.query())[budget].usedTokens).toBe(2 * TOKENS_PER_RUN);

    // The usage page still shows the money, under deleted conversations.
    const top = await user.client.usage.topConversations.query({ ...today(), limit: 10 });
    expect(top.items).toEqual([]);
    expect(top.deletedConversations).toMatchObject({ promptTokens: TOKENS_PER_RUN, completionTokens: TOKENS_PER_RUN });
    const summary = await user.client.usage.summary.query({ ...today(), groupBy: 'day' });
    expect(summary.total.promptTokens + summary.total.completionTokens).toBe(2 * TOKENS_PER_RUN);
  }
});

test('case 89: importing a conversation from today changes neither the budget nor the spend; its run shows its usage as imported', async ({
  bed,
}) => {
  const author = await signUpWithKey(bed.server);
  const { conversationId } = await runInNewConversation(author, 'Worth keeping');
  const file = await author.client.conversations.export.query({ id: conversationId, format: 'json' });

  const reader = await ownKeyUser(bed);
  const { conversationIds } = await reader.client.conversations.import.mutate({ data: JSON.parse(file.content) });
  // On the old main the imported usage counted as today's spend (1,600 of the reader's 6,000).
  expect((await reader.client.settings.dailyBudget.query()).own.usedTokens).toBe(0);
  const summary = await reader.client.usage.summary.query({ ...today(), groupBy: 'model' });
  expect(summary.rows).toEqual([]);
  expect((await reader.client.usage.topConversations.query({ ...today() })).items).toEqual([]);

  const imported = await reader.client.conversations.get.query({ id: conversationIds[0] ?? '' });
  expect(imported.runs[0]?.usage).toMatchObject({ totalTokens: TOKENS_PER_RUN, isImported: true });
  const mine = await author.client.conversations.get.query({ id: conversationId });
  expect(mine.runs[0]?.usage).toMatchObject({ totalTokens: TOKENS_PER_RUN, isImported: false });
});

test('case 90: a run over a huge history is refused up front by the reservation of its prompts, with the numbers, before any upstream call', async ({
  bed,
}) => {
  // An imported conversation whose one turn is ~35,000 tokens a message: every call reads it.
  const author = await signUpWithKey(bed.server);
  const { conversationId } = await runInNewConversation(author, 'Seed');
  const file = JSON.parse(
    (await author.client.conversations.export.query({ id: conversationId, format: 'json' })).content,
  ) as { conversations: { messages: { content: string }[] }[] };
  const [conversation] = file.conversations;
  if (!conversation) throw new Error('export without a conversation');
  for (const message of conversation.messages) message.content = 'long history '.repeat(8_000);

  const reader = await ownKeyUser(bed, 200_000);
  const { conversationIds } = await reader.client.conversations.import.mutate({ data: file });
  const asked = bed.upstream.requests.length;
  const refused = await failureOf(
    reader.client.council.start.mutate({ conversationId: conversationIds[0] ?? '', content: 'And now?' }),
  );
  // Old main reserved 3 × 3 + 1 calls × 100 tokens of output and admitted it.
  expect(refused).toMatchObject({ code: 'TOO_MANY_REQUESTS', appCode: 'BUDGET_EXCEEDED' });
  expect(refused.message).toMatch(/0 of 200000 tokens used, ~\d+ needed \(prompts and longest answers\)/);
  const needed = Number(/~(\d+) needed/.exec(refused.message)?.[1]);
  expect(needed).toBeGreaterThan(200_000);
  expect(bed.upstream.requests).toHaveLength(asked);
});

test('case 91: a call that no longer fits the budget inside an admitted run is not sent; the run fails BUDGET_EXCEEDED', async ({
  bed,
}) => {
  // Own keys set no max_tokens: answers far longer than the reservation assumed make the
  // reviews' prompts (every answer quoted) too big for what is left of the cap.
  const long = `${'abcdefghij'.repeat(50)} `.repeat(40); // 20,000 characters in 40 streamed tokens
  for (const model of COUNCIL) bed.upstream.setBehavior(model, { reply: () => long });
  const user = await ownKeyUser(bed);
  const asked = bed.upstream.requests.length;
  const { runId } = await user.client.council.start.mutate({ conversationId: user.conversationId, content: 'Go' });
  await waitForRunStatus(user.client, runId, ['failed']);
  const run = await user.client.council.get.query({ runId });
  expect(run.error).toMatchObject({ code: 'BUDGET_EXCEEDED', stage: 'stage2' });
  expect(run.error?.message).toMatch(/cannot take the next call of this run/);
  expect(run.stage2.every((review) => review.error?.code === 'BUDGET_EXCEEDED')).toBe(true);

  // The fake upstream's request log: the three answers and the title, no review and no chairman.
  const sent = bed.upstream.requests.slice(asked).map((r) => r.model);
  expect(sent.sort()).toEqual([...COUNCIL, TITLE_MODEL].sort());
  expect((await user.client.settings.dailyBudget.query()).own.usedTokens).toBe(4 * 200);
});

test('case 92: retrying an imported run on the server key is refused when any model it will call — the title model included — is outside the operator’s allowlist; within it the retry runs', async ({
  bed,
}) => {
  const admin = await serverKeyUser(bed);
  const { conversationId } = await runInNewConversation(admin, 'To be exported');
  const file = JSON.parse(
    (await admin.client.conversations.export.query({ id: conversationId, format: 'json' })).content,
  ) as { conversations: { runs: Record<string, unknown>[] }[] };
  const asImported = (change: Record<string, unknown>) => {
    const copy = structuredClone(file);
    for (const run of copy.conversations.flatMap((c) => c.runs)) {
      Object.assign(run, { status: 'failed', ...change });
      run['responses'] = (run['responses'] as { stage: string }[]).filter((r) => r.stage !== 'title');
    }
    return copy;
  };

  const asked = bed.upstream.requests.length;
  for (const [change, outside] of [
    [{ titleModel: 'openai/gpt-5.1' }, 'openai/gpt-5.1'],
    [{ chairmanModel: 'x-ai/grok-4' }, 'x-ai/grok-4'],
    [{ models: [...COUNCIL.slice(0, 2), 'anthropic/claude-sonnet-4.5'] }, 'anthropic/claude-sonnet-4.5'],
  ] as const) {
    const { conversationIds } = await admin.client.conversations.import.mutate({ data: asImported(change) });
    const imported = await admin.client.conversations.get.query({ id: conversationIds[0] ?? '' });
    const refused = await failureOf(admin.client.council.retry.mutate({ runId: imported.runs[0]?.id ?? '' }));
    // Old main retried it: the title model was asked on the operator's key.
    expect(refused).toMatchObject({ code: 'FORBIDDEN', appCode: 'MODEL_NOT_ALLOWED' });
    expect(refused.message).toContain(outside);
  }
  expect(bed.upstream.requests).toHaveLength(asked);

  // Within the council, the retry is admitted and runs: the title it lacked is asked for again.
  const { conversationIds } = await admin.client.conversations.import.mutate({ data: asImported({}) });
  const runId = (await admin.client.conversations.get.query({ id: conversationIds[0] ?? '' })).runs[0]?.id ?? '';
  await admin.client.council.retry.mutate({ runId });
  await waitForRunStatus(admin.client, runId, ['completed']);
  expect(bed.upstream.requests.slice(asked).some((r) => r.model === TITLE_MODEL)).toBe(true);
});

test('case 90: parallel starts from separate connections against a cap are admitted only while their reservations fit', async ({
  bed,
}) => {
  const user = await ownKeyUser(bed, 10_000);
  for (const model of COUNCIL) bed.upstream.setBehavior(model, { hang: true });
  // Five separate HTTP connections (no batching), all at once.
  const clients = Array.from({ length: 5 }, () => user.clientFor(bed.server));
  const starts = await Promise.allSettled(
    clients.map(async (client, i) => {
      const { id } = await client.conversations.create.mutate({});
      return client.council.start.mutate({ conversationId: id, content: `parallel ${i}` });
    }),
  );
  const started = starts.flatMap((s) => (s.status === 'fulfilled' ? [s.value.runId] : []));
  // Each first question reserves ~4,300 tokens: two fit in 10,000, a third does not.
  expect(started).toHaveLength(2);
  const budget = await user.client.settings.dailyBudget.query();
  expect(budget.own.reservedTokens).toBeLessThanOrEqual(10_000);
  expect(budget.own.reservedTokens).toBeGreaterThan(10_000 / 3);
  for (const runId of started) {
    await user.client.council.cancel.mutate({ runId });
    await waitForRunStatus(user.client, runId, ['cancelled']);
  }
});

test('case 88: deleting the account deletes its spend-ledger rows (and only then is the spend gone)', async ({
  bed,
}) => {
  const user = await ownKeyUser(bed, null);
  const { userId } = user;
  await runInNewConversation(user, 'Paid for');
  const rows = () => bed.server.db.selectFrom('spendLedger').select('id').where('userId', '=', userId).execute();
  expect(await rows()).toHaveLength(8);
  await user.client.account.delete.mutate({ password: STRONG_PASSWORD });
  expect(await rows()).toHaveLength(0);
});
