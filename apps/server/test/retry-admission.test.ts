import { expect } from 'vitest';
import { councilTest } from './helpers/fixtures.js';
import { failureOf } from './helpers/http.js';
import { COUNCIL, councilReply, followToEnd, signUpWithKey } from './helpers/council-harness.js';

// Issue 17 §1: `council.retry` checks what `council.start` checks for every model it will call —
// the catalogue and the budget as well as the operator's allowlist (case 92 covers that one).
// A retry of an imported run is the way round both: the run's models and its usage come from a
// file, not from a start that was checked. Refused retries must not reach the upstream at all.

const test = councilTest({
  env: { MAX_CONCURRENT_RUNS_PER_USER: '10' },
  upstream: {
    defaultBehavior: {
      tokenDelayMs: 1,
      reply: councilReply(),
      usage: { promptTokens: 100, completionTokens: 100 },
      cost: 0.001,
    },
  },
});

type User = Awaited<ReturnType<typeof signUpWithKey>>;
type ExportFile = { conversations: { runs: Record<string, unknown>[] }[] };

/** A completed conversation of a fresh user's, exported: the file the other user imports. */
async function exportedRun(user: User): Promise<ExportFile> {
  const { id: conversationId } = await user.client.conversations.create.mutate({});
  const { runId } = await user.client.council.start.mutate({ conversationId, content: 'To be exported' });
  expect((await followToEnd(user.client, runId)).at(-1)?.event.type).toBe('run_completed');
  const { content } = await user.client.conversations.export.query({ id: conversationId, format: 'json' });
  return JSON.parse(content) as ExportFile;
}

/** Imports `file` with its runs failed (so they can be retried), untitled and `change` applied; the run's id. */
async function importFailedRun(user: User, file: ExportFile, change: Record<string, unknown>): Promise<string> {
  const copy = structuredClone(file);
  for (const run of copy.conversations.flatMap((c) => c.runs)) {
    Object.assign(run, { status: 'failed', ...change });
    // Without its title the retry asks the title model for one, so that model is checked too.
    run['responses'] = (run['responses'] as { stage: string }[]).filter((r) => r.stage !== 'title');
  }
  const { conversationIds } = await user.client.conversations.import.mutate({ data: copy });
  const imported = await user.client.conversations.get.query({ id: conversationIds[0] ?? '' });
  return imported.runs[0]?.id ?? '';
}

test('case 92: retrying an imported run that names a model the catalogue does not list is refused UNKNOWN_MODEL, with no upstream call', async ({
  bed,
}) => {
  const file = await exportedRun(await signUpWithKey(bed.server));
  const user = await signUpWithKey(bed.server);
  const asked = bed.upstream.requests.length;
  for (const [change, unlisted] of [
    [{ titleModel: 'nobody/unlisted-title' }, 'nobody/unlisted-title'],
    [{ chairmanModel: 'nobody/unlisted-chair' }, 'nobody/unlisted-chair'],
    [{ models: [...COUNCIL.slice(0, 2), 'nobody/unlisted-member'] }, 'nobody/unlisted-member'],
  ] as const) {
    const runId = await importFailedRun(user, file, change);
    const refused = await failureOf(user.client.council.retry.mutate({ runId }));
    expect(refused).toMatchObject({ code: 'BAD_REQUEST', appCode: 'UNKNOWN_MODEL' });
    expect(refused.message).toContain(unlisted);
    // Nothing was queued either: the run stays as imported.
    expect((await user.client.council.get.query({ runId })).status).toBe('failed');
  }
  expect(bed.upstream.requests).toHaveLength(asked);
});

test('case 90: retrying an imported run whose reservation does not fit the user’s own daily cap is BUDGET_EXCEEDED, with no upstream call', async ({
  bed,
}) => {
  const file = await exportedRun(await signUpWithKey(bed.server));
  const user = await signUpWithKey(bed.server);
  // Nothing spent today, but a whole council run reserves far more than 500 tokens of prompts and answers.
  await user.client.settings.setDailyBudget.mutate({ tokens: 500, usd: null });
  const runId = await importFailedRun(user, file, {});
  const asked = bed.upstream.requests.length;
  const refused = await failureOf(user.client.council.retry.mutate({ runId }));
  expect(refused).toMatchObject({ code: 'TOO_MANY_REQUESTS', appCode: 'BUDGET_EXCEEDED' });
  expect(refused.message).toMatch(/0 of 500 tokens used, ~\d+ needed/);
  expect((await user.client.council.get.query({ runId })).status).toBe('failed');
  expect(bed.upstream.requests).toHaveLength(asked);

  // With room for it, the same retry is admitted and runs.
  await user.client.settings.setDailyBudget.mutate({ tokens: null, usd: null });
  await user.client.council.retry.mutate({ runId });
  expect((await followToEnd(user.client, runId)).at(-1)?.event.type).toBe('run_completed');
  expect(bed.upstream.requests.length).toBeGreaterThan(asked);
});
