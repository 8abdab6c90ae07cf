import { expect, onTestFinished, test } from 'vitest';
import type { CouncilEvent } from './events.js';
import { startFakeUpstream } from './fake-upstream/fake-upstream.server.js';
import { fitToContext } from './history-budget.js';
import { buildStage1Messages } from './prompts.js';
import { runCouncil } from './runner.js';
import { createChatClient } from './upstream/chat-client.js';

const models = ['m/alpha', 'm/beta', 'm/gamma'];
const contextLength = 8_000;
// 30 earlier turns of about 600 tokens each: far more than an 8k window holds.
const history = Array.from({ length: 30 }, (_, i) => ({
  question: `Question ${i}: ${'why '.repeat(100)}`,
  answer: `Answer ${i}: ${'because '.repeat(250)}`,
}));

async function runLongConversation(contextLengths?: Record<string, number>) {
  const catalog = [...models, 'm/chair'].map((id) => ({ id, name: id, contextLength, pricing: null }));
  const upstream = await startFakeUpstream({ models: catalog });
  onTestFinished(() => upstream.close());
  const { chat } = createChatClient({ baseUrl: upstream.url, apiKey: 'k', sleep: () => Promise.resolve() });
  const events: CouncilEvent[] = [];
  const input = { question: 'And now?', history, models, chairmanModel: 'm/chair', attempt: 1 };
  const { status } = await runCouncil(contextLengths ? { ...input, contextLengths } : input, {
    chat,
    signal: new AbortController().signal,
    emit: (event) => {
      events.push(event);
      return Promise.resolve();
    },
  });
  return { status, events, upstream };
}

test('a 30-turn conversation fits every stage, the chairman included, with the oldest turns left out', async () => {
  const lengths = Object.fromEntries([...models, 'm/chair'].map((id) => [id, contextLength]));
  const { status, upstream } = await runLongConversation(lengths);
  expect(status).toBe('completed');
  const chairman = upstream.requests
    .find((r) => r.model === 'm/chair')
    ?.messages.map((m) => m.content)
    .join('\n');
  expect(chairman).toMatch(/The \d+ oldest exchanges of this conversation were left out to fit the context window/);
  expect(chairman).toContain('Question 29');
  expect(chairman).not.toContain('Question 0:');
});

test('without the budget the same conversation overflows the window (the check above can fail)', async () => {
  const { status, events } = await runLongConversation();
  expect(status).toBe('failed');
  expect(events.find((e) => e.type === 'model_failed')).toMatchObject({ stage: 'stage1' });
});

test('fitToContext keeps the newest turns and reports how many it dropped', () => {
  const messages = fitToContext(history, 4_000, 1_000, (kept, omitted) =>
    buildStage1Messages({ question: 'Q', history: kept, omittedTurns: omitted }),
  );
  expect(messages.at(-1)).toEqual({ role: 'user', content: 'Q' });
  expect(messages.at(-2)?.content).toContain('Answer 29');
  expect(messages[0]?.content).toMatch(/^\(The \d+ oldest exchanges/);
  expect(
    fitToContext(history, null, null, (kept) => buildStage1Messages({ question: 'Q', history: kept })),
  ).toHaveLength(61);
});
