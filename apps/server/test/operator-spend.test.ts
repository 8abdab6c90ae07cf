import { promoteUser, setServerKeyAllowed } from '@llm-council/api';
import { expect } from 'vitest';
import { createLogger } from '../src/logger.js';
import { councilTest } from './helpers/fixtures.js';
import { failureOf } from './helpers/http.js';
import {
  COUNCIL,
  councilReply,
  followToEnd,
  signUpWithKey,
  waitForRunStatus,
  waitUntil,
  type CouncilTestbed,
} from './helpers/council-harness.js';

// What the operator's fallback key may spend (cases 59 and 60): only allowed users, only the
// configured council, max_tokens on every call, a daily budget per user decided under the same
// per-user lock as the run limit — and a user's own key is limited only by the cap they set.

const SERVER_KEY = 'sk-or-v1-operator-fallback-key-1111';
// Every call reports 200 tokens and $0.001: a run of three models (3 answers, 3 reviews, the
// chairman, a title) records 1,600 tokens and $0.008. A start reserves every call's estimated
// prompt plus SERVER_KEY_MAX_TOKENS (~4,300–5,000 tokens for these short questions and their
// history), so the 7,000-token day admits a run after one of them, and not after two.
const TOKENS_PER_RUN = 1_600;
const DAILY_TOKENS = 7_000;

const base = councilTest({
  env: {
    OPENROUTER_API_KEY: SERVER_KEY,
    SERVER_KEY_USERS: 'admins',
    SERVER_KEY_MAX_TOKENS: '100',
    SERVER_KEY_DAILY_TOKENS: String(DAILY_TOKENS),
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

// The file's admin, promoted as the operator would (`pnpm users:promote`): test users come from
// the factory, so no account is an admin by being first.
const test = base.extend('admin', { scope: 'file' }, async ({ bed }) => {
  const admin = await signUpAs(bed);
  await promoteUser(operatorDeps(bed), admin.email);
  expect(await admin.client.auth.me.query()).toMatchObject({ isAdmin: true });
  return admin;
});

/** A new user (with their own key, or none) and the email the operator's commands name them by. */
async function signUpAs(bed: CouncilTestbed, apiKey: string | null = null) {
  const user = await signUpWithKey(bed.server, apiKey);
  return { ...user, email: (await user.client.auth.me.query()).email };
}

function operatorDeps(bed: CouncilTestbed) {
  return { db: bed.server.db, logger: createLogger('silent'), now: () => new Date(), config: bed.server.config.api };
}

async function runToEnd(user: Awaited<ReturnType<typeof signUpAs>>, content: string) {
  const { runId } = await user.client.council.start.mutate({ conversationId: user.conversationId, content });
  const events = await followToEnd(user.client, runId);
  expect(events.at(-1)?.event.type).toBe('run_completed');
  return runId;
}

test('case 59: the fallback key serves the admins and the users the operator flagged, and no one else — refused before any upstream call', async ({
  bed,
  admin,
}) => {
  await runToEnd(admin, 'On the house, for the admin');
  expect(bed.upstream.requests.every((r) => r.authorization === `Bearer ${SERVER_KEY}`)).toBe(true);

  const bob = await signUpAs(bed);
  const asked = bed.upstream.requests.length;
  const refused = await failureOf(
    bob.client.council.start.mutate({ conversationId: bob.conversationId, content: 'Hi' }),
  );
  expect(refused).toMatchObject({ code: 'PRECONDITION_FAILED', appCode: 'NO_API_KEY' });
  expect(refused.message).toMatch(/server's key is not available to your account/);
  expect(bed.upstream.requests).toHaveLength(asked);
  expect((await bob.client.conversations.get.query({ id: bob.conversationId })).messages).toEqual([]);
  expect((await bob.client.settings.dailyBudget.query()).server.isAvailable).toBe(false);

  // `pnpm users:server-key bob on` lets him; `off` refuses even an admin.
  await setServerKeyAllowed(operatorDeps(bed), bob.email, true);
  expect((await bob.client.settings.dailyBudget.query()).server.isAvailable).toBe(true);
  await runToEnd(bob, 'Now on the house for Bob');
  await setServerKeyAllowed(operatorDeps(bed), admin.email, false);
  const off = await failureOf(
    admin.client.council.start.mutate({ conversationId: admin.conversationId, content: 'And again?' }),
  );
  expect(off.appCode).toBe('NO_API_KEY');
  await setServerKeyAllowed(operatorDeps(bed), admin.email, null);
});

test('case 59: on the fallback key only the configured council, chairman and title model are asked, each call with max_tokens at most SERVER_KEY_MAX_TOKENS', async ({
  bed,
  admin,
}) => {
  void admin;
  const carol = await signUpAs(bed);
  await setServerKeyAllowed(operatorDeps(bed), carol.email, true);
  const outsideMember = await failureOf(
    carol.client.council.start.mutate({
      conversationId: carol.conversationId,
      content: 'Ask someone else',
      models: ['test/alpha', 'openai/gpt-5.1'],
    }),
  );
  expect(outsideMember).toMatchObject({ code: 'FORBIDDEN', appCode: 'MODEL_NOT_ALLOWED' });
  expect(outsideMember.message).toContain('openai/gpt-5.1');
  const outsideChair = await failureOf(
    carol.client.council.start.mutate({
      conversationId: carol.conversationId,
      content: 'Another chair',
      chairmanModel: 'x-ai/grok-4',
    }),
  );
  expect(outsideChair.appCode).toBe('MODEL_NOT_ALLOWED');
  expect(bed.upstream.requests).toHaveLength(0);
  expect((await carol.client.conversations.get.query({ id: carol.conversationId })).messages).toEqual([]);

  await runToEnd(carol, 'Within the council');
  expect(bed.upstream.requests.length).toBeGreaterThanOrEqual(COUNCIL.length * 2 + 2);
  for (const request of bed.upstream.requests) {
    expect(request.authorization).toBe(`Bearer ${SERVER_KEY}`);
    expect(request.maxTokens, `${request.model} asked with a cap`).toBeDefined();
    expect(request.maxTokens).toBeLessThanOrEqual(100);
  }
});

test('case 60: over the daily token budget of the fallback key a start is BUDGET_EXCEEDED, with a clear message and no upstream call', async ({
  bed,
  admin,
}) => {
  void admin;
  const dan = await signUpAs(bed);
  await setServerKeyAllowed(operatorDeps(bed), dan.email, true);
  await runToEnd(dan, 'First of the day');
  const budget = await dan.client.settings.dailyBudget.query();
  expect(budget.server).toMatchObject({ tokenCap: DAILY_TOKENS, usedTokens: TOKENS_PER_RUN, reservedTokens: 0 });
  expect(budget.server.usedUsd).toBeCloseTo(0.008, 6);
  expect(budget.own.usedTokens).toBe(0);
  await runToEnd(dan, 'Second, still fitting the cap when it started');

  const asked = bed.upstream.requests.length;
  const refused = await failureOf(
    dan.client.council.start.mutate({ conversationId: dan.conversationId, content: 'Third' }),
  );
  expect(refused).toMatchObject({ code: 'TOO_MANY_REQUESTS', appCode: 'BUDGET_EXCEEDED' });
  // The second question of a conversation asks no title: 1,600 + 1,400 used, and the prompts of a
  // third run do not fit in what is left.
  expect(refused.message).toContain(`3000 of ${DAILY_TOKENS} tokens used`);
  expect(refused.message).toMatch(/~\d+ needed \(prompts and longest answers\)/);
  expect(refused.message).toMatch(/resets at midnight UTC/);
  expect(refused.retryAfterSeconds).toBeGreaterThan(0);
  expect(bed.upstream.requests).toHaveLength(asked);
  expect((await dan.client.conversations.get.query({ id: dan.conversationId })).messages).toHaveLength(4);
});

test('case 60: ten batched starts near the budget start one run: each start sees the reservation of the runs already going', async ({
  bed,
  admin,
}) => {
  void admin;
  const erin = await signUpAs(bed);
  await setServerKeyAllowed(operatorDeps(bed), erin.email, true);
  await runToEnd(erin, 'Most of the day’s budget');
  for (const model of COUNCIL) bed.upstream.setBehavior(model, { hang: true });

  const starts = await Promise.allSettled(
    Array.from({ length: 10 }, (_, i) =>
      erin.client.council.start.mutate({ conversationId: erin.conversationId, content: `at once ${i}` }),
    ),
  );
  const started = starts.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value.runId] : []));
  const refusals = starts.flatMap((outcome) =>
    outcome.status === 'rejected' ? [(outcome.reason as { data?: { appCode?: string } }).data?.appCode] : [],
  );
  // 1,600 used + the first run's reservation (its prompts and answers, ~4,000) leave no room for a second.
  expect(started).toHaveLength(1);
  expect(refusals).toEqual(Array(9).fill('BUDGET_EXCEEDED'));
  const budget = await erin.client.settings.dailyBudget.query();
  expect(budget.server.reservedTokens).toBeGreaterThan((DAILY_TOKENS - TOKENS_PER_RUN) / 2);
  expect(budget.server.usedTokens + budget.server.reservedTokens).toBeLessThanOrEqual(DAILY_TOKENS);

  for (const runId of started) {
    await erin.client.council.cancel.mutate({ runId });
    await waitForRunStatus(erin.client, runId, ['cancelled']);
  }
  await waitUntil(() => bed.upstream.openRequests === 0, 2_000, 'hung requests to close');
  expect((await erin.client.settings.dailyBudget.query()).server.reservedTokens).toBe(0);
});

test('case 59/60: a user’s own key is never limited by the fallback key’s rules; only by the daily cap they set themself', async ({
  bed,
  admin,
}) => {
  void admin;
  const frank = await signUpAs(bed, 'sk-or-v1-franks-own-key-0123456789abcdef');
  // Not allowed on the server key, models outside the council, past the server key's daily budget.
  await setServerKeyAllowed(operatorDeps(bed), frank.email, false);
  const outside = { models: ['openai/gpt-5.1', 'x-ai/grok-4'], chairmanModel: 'openai/gpt-5.1' };
  // Two models: 6 calls (1,200 tokens) a first run, 1,000 a follow-up — seven pass the 7,000.
  for (const content of ['one', 'two', 'three', 'four', 'five', 'six', 'seven']) {
    const { runId } = await frank.client.council.start.mutate({
      conversationId: frank.conversationId,
      content,
      ...outside,
    });
    await waitForRunStatus(frank.client, runId, ['completed']);
  }
  expect(
    bed.upstream.requests.every((r) => r.authorization === 'Bearer sk-or-v1-franks-own-key-0123456789abcdef'),
  ).toBe(true);
  expect(bed.upstream.requests.some((r) => r.maxTokens === undefined)).toBe(true);
  const before = await frank.client.settings.dailyBudget.query();
  expect(before.own).toMatchObject({ tokenCap: null, usdCap: null });
  expect(before.own.usedTokens).toBeGreaterThan(DAILY_TOKENS);
  expect(before.server.usedTokens).toBe(0);

  // The cap Frank sets for himself does apply to his key.
  const set = await frank.client.settings.setDailyBudget.mutate({ tokens: 1_000, usd: null });
  expect(set.own.tokenCap).toBe(1_000);
  const asked = bed.upstream.requests.length;
  const refused = await failureOf(
    frank.client.council.start.mutate({ conversationId: frank.conversationId, content: 'eight', ...outside }),
  );
  expect(refused).toMatchObject({ code: 'TOO_MANY_REQUESTS', appCode: 'BUDGET_EXCEEDED' });
  expect(refused.message).toMatch(/your own key \(the daily cap you set in Settings\)/);
  expect(bed.upstream.requests).toHaveLength(asked);

  // A cost cap alone works the same way; lifting both lets him run again.
  await frank.client.settings.setDailyBudget.mutate({ tokens: null, usd: 0.01 });
  expect(
    (
      await failureOf(
        frank.client.council.start.mutate({ conversationId: frank.conversationId, content: 'nine', ...outside }),
      )
    ).appCode,
  ).toBe('BUDGET_EXCEEDED');
  await frank.client.settings.setDailyBudget.mutate({ tokens: null, usd: null });
  const { runId } = await frank.client.council.start.mutate({
    conversationId: frank.conversationId,
    content: 'ten',
    ...outside,
  });
  await waitForRunStatus(frank.client, runId, ['completed']);
});

test('settings.setDailyBudget refuses a zero, negative or fractional token cap naming the field', async ({
  bed,
  admin,
}) => {
  void admin;
  const gina = await signUpAs(bed);
  for (const tokens of [0, -5, 1.5]) {
    const refused = await failureOf(gina.client.settings.setDailyBudget.mutate({ tokens, usd: null }));
    expect(refused.code).toBe('BAD_REQUEST');
    expect(Object.keys(refused.fieldErrors ?? {})).toEqual(['tokens']);
  }
  expect((await gina.client.settings.dailyBudget.query()).own.tokenCap).toBeNull();
});
