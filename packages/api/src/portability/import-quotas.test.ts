import { randomUUID } from 'node:crypto';
import { expect, test } from 'vitest';
import type { ApiConfig } from '../config.js';
import { describeFailure } from '../testing/failure-of.js';
import { createTestApiConfig } from '../testing/test-config.js';
import { openTestApi, type TestApi } from '../testing/test-api.js';

// Issue 17, section 2, "quotas and rate" (security case 87). On main before this change every one
// of these imports was stored: there was no limit on imports per hour, bytes per day or storage,
// and the whole import ran as one transaction, so nothing else reached PGlite until it finished.

const KiB = 1024;

/** An export document of `conversations` conversations, each one question of `bytes` characters. */
function exportOf(bytes: number, conversations = 1, messagesEach = 1) {
  const at = '2026-01-01T00:00:00.000Z';
  return {
    format: 'llm-council-export',
    version: 1,
    exportedAt: at,
    conversations: Array.from({ length: conversations }, () => ({
      id: randomUUID(),
      title: 'Imported',
      councilModels: null,
      chairmanModel: null,
      createdAt: at,
      updatedAt: at,
      importedAt: null,
      messages: Array.from({ length: messagesEach }, () => ({
        id: randomUUID(),
        role: 'user',
        content: 'q'.repeat(bytes),
        createdAt: at,
      })),
      runs: [],
    })),
  };
}

async function withApi(imports: Partial<ApiConfig['imports']>, body: (api: TestApi) => Promise<void>) {
  const base = createTestApiConfig();
  const api = await openTestApi({ config: { ...base, imports: { ...base.imports, ...imports } } });
  try {
    await body(api);
  } finally {
    await api.close();
  }
}

async function settle(calls: Promise<unknown>[]) {
  const outcomes = await Promise.allSettled(calls);
  return {
    stored: outcomes.filter((o) => o.status === 'fulfilled').length,
    refusals: outcomes.flatMap((o) => (o.status === 'rejected' ? [describeFailure(o.reason)] : [])),
  };
}

async function countConversations(api: TestApi, userId: string): Promise<number> {
  const row = await api.db
    .selectFrom('conversations')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('userId', '=', userId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

test('case 87: eight parallel imports against a limit of three an hour store three; the rest are 429 with Retry-After', async () => {
  await withApi({ perHour: { limit: 3, windowSeconds: 3600 } }, async (api) => {
    const { user, caller } = await api.signUp();
    const { stored, refusals } = await settle(
      Array.from({ length: 8 }, () => caller.conversations.import({ data: exportOf(100) })),
    );
    expect(stored).toBe(3);
    expect(refusals.map((r) => [r.code, r.appCode])).toEqual(Array(5).fill(['TOO_MANY_REQUESTS', 'RATE_LIMITED']));
    expect(refusals[0]?.retryAfterSeconds).toBeGreaterThan(3500);
    expect(await countConversations(api, user.id)).toBe(3);
  });
});

test('case 87: bytes per day hold for parallel imports, and deleting what came in does not give them back', async () => {
  // Each document is a little over 100 KiB: two fit in 300 KiB, a third does not.
  await withApi({ kibPerDay: { limit: 300, windowSeconds: 86_400 } }, async (api) => {
    const { user, caller } = await api.signUp();
    const { stored, refusals } = await settle(
      Array.from({ length: 5 }, () => caller.conversations.import({ data: exportOf(100 * KiB) })),
    );
    expect(stored).toBe(2);
    expect(refusals.map((r) => r.appCode)).toEqual(Array(3).fill('IMPORT_QUOTA_EXCEEDED'));
    expect(refusals[0]?.message).toMatch(/at most 0\.3 MB a day/);
    expect(refusals[0]?.retryAfterSeconds).toBeGreaterThan(86_000);

    for (const { id } of (await caller.conversations.list()).items) await caller.conversations.delete({ id });
    const again = await settle([caller.conversations.import({ data: exportOf(100 * KiB) })]);
    expect(again.refusals.map((r) => r.appCode)).toEqual(['IMPORT_QUOTA_EXCEEDED']);
    expect(await countConversations(api, user.id)).toBe(0);
  });
});

test('case 87: parallel imports never take a user past USER_STORAGE_MAX_MB; usage.storage shows it', async () => {
  await withApi({ userStorageMaxBytes: 350 * KiB }, async (api) => {
    const { user, caller } = await api.signUp();
    const { stored, refusals } = await settle(
      Array.from({ length: 6 }, () => caller.conversations.import({ data: exportOf(100 * KiB) })),
    );
    expect(stored).toBeGreaterThanOrEqual(1);
    expect(stored).toBeLessThanOrEqual(3);
    expect(new Set(refusals.map((r) => [r.code, r.appCode].join(' ')))).toEqual(
      new Set(['FORBIDDEN STORAGE_LIMIT_REACHED']),
    );
    const storage = await caller.usage.storage();
    expect(storage.maxBytes).toBe(350 * KiB);
    expect(storage.usedBytes).toBe(stored * 100 * KiB);
    expect(storage.usedBytes).toBeLessThanOrEqual(350 * KiB);
    expect(await countConversations(api, user.id)).toBe(stored);

    // Deleting frees storage (unlike the daily bytes): the next import fits again.
    for (const { id } of (await caller.conversations.list()).items) await caller.conversations.delete({ id });
    expect((await caller.usage.storage()).usedBytes).toBe(0);
    expect((await caller.conversations.import({ data: exportOf(100 * KiB) })).conversationIds).toHaveLength(1);
  });
});

test('case 87: a large import is written in chunks: other queries are answered while it is still going', async () => {
  await withApi({}, async (api) => {
    const { user, caller } = await api.signUp();
    // 40 conversations of 100 messages: 4,040 rows, many statements.
    let isDone = false;
    const importing = caller.conversations.import({ data: exportOf(200, 40, 100) }).finally(() => (isDone = true));
    const seenWhileImporting: number[] = [];
    while (!isDone) {
      const row = await api.db
        .selectFrom('messages as m')
        .innerJoin('conversations as c', 'c.id', 'm.conversationId')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('c.userId', '=', user.id)
        .executeTakeFirstOrThrow();
      if (!isDone) seenWhileImporting.push(Number(row.n));
      // Like a request arriving from the network: from the event loop, not a chain of microtasks.
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect((await importing).conversationIds).toHaveLength(40);
    // Answered mid-import, seeing part of it: one transaction would have shown 0 or all (or made us wait).
    expect(seenWhileImporting.some((n) => n > 0 && n < 4_000)).toBe(true);
  });
});
