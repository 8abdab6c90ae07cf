import { startFakeUpstream } from '@llm-council/council/fake-upstream';
import { expect, test as base } from 'vitest';
import { followRun, signUpWithKey } from '../testing/council-callers.js';
import { openTestApi } from '../testing/test-api.js';
import { createTestApiConfig } from '../testing/test-config.js';

// Issue 22 §4: with web search on, each answer's sources are stored with it, come back in the run
// record after a reload, carry over to a retry's replayed answers, and survive export and import.

const test = base
  .extend('upstream', { scope: 'file' }, async ({}, { onCleanup }) => {
    const upstream = await startFakeUpstream({ defaultBehavior: { tokenDelayMs: 0 } });
    onCleanup(() => upstream.close());
    return upstream;
  })
  .extend('api', { scope: 'file' }, async ({ upstream }, { onCleanup }) => {
    const api = await openTestApi({ config: createTestApiConfig({ providerUrl: upstream.url }) });
    onCleanup(() => api.close());
    return api;
  });

test('a web search run stores each answer’s sources; the record, the Markdown and an imported copy show them', async ({
  api,
}) => {
  const { caller, conversationId } = await signUpWithKey(api);
  const { runId } = await caller.council.start({ conversationId, content: 'Latest Rust release?', webSearch: true });
  const events = await followRun(caller, runId);
  expect(events.at(-1)?.event.type).toBe('run_completed');

  const record = await caller.council.get({ runId });
  expect(record.webSearch).toBe(true);
  expect(record.stage1.length).toBeGreaterThan(1);
  for (const answer of record.stage1) {
    expect(answer.sources).toEqual([
      { url: 'https://search.example.org/latest-rust-release/result-1', title: 'Result 1 about latest rust release' },
      { url: 'https://search.example.org/latest-rust-release/result-2', title: 'Result 2 about latest rust release' },
      { url: 'https://search.example.org/latest-rust-release/result-3', title: 'Result 3 about latest rust release' },
    ]);
  }
  // The live events said the same as the stored record.
  const completed = events.flatMap(({ event }) =>
    event.type === 'model_completed' && event.stage === 'stage1' ? [event.sources] : [],
  );
  expect(completed).toEqual(record.stage1.map((a) => a.sources));

  const markdown = (await caller.conversations.export({ id: conversationId, format: 'markdown' })).content;
  expect(markdown).toContain(
    '1. [Result 1 about latest rust release](https://search.example.org/latest-rust-release/result-1)',
  );

  const file = await caller.conversations.export({ id: conversationId, format: 'json' });
  const { conversationIds } = await caller.conversations.import({ data: JSON.parse(file.content) as unknown });
  const copy = await caller.conversations.get({ id: conversationIds[0] ?? '' });
  expect(copy.runs[0]?.stage1.map((a) => a.sources)).toEqual(record.stage1.map((a) => a.sources));
});

test('without web search an answer has no sources', async ({ api }) => {
  const { caller, conversationId } = await signUpWithKey(api);
  const { runId } = await caller.council.start({ conversationId, content: 'Offline question' });
  await followRun(caller, runId);
  const record = await caller.council.get({ runId });
  expect(record.stage1.every((a) => a.sources.length === 0)).toBe(true);
});

test('an import whose sources are not http(s) links is refused naming the field', async ({ api }) => {
  const { caller, conversationId } = await signUpWithKey(api);
  const { runId } = await caller.council.start({ conversationId, content: 'Question with sources', webSearch: true });
  await followRun(caller, runId);
  const doc = JSON.parse((await caller.conversations.export({ id: conversationId, format: 'json' })).content) as {
    conversations: { runs: { responses: { stage: string; sources?: unknown }[] }[] }[];
  };
  const answer = doc.conversations[0]?.runs[0]?.responses.find((r) => r.stage === 'stage1');
  if (answer) answer.sources = [{ url: 'javascript:alert(1)', title: 'x' }];
  await expect(caller.conversations.import({ data: doc })).rejects.toThrow(/sources/);
});
