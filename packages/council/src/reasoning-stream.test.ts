import { expect, onTestFinished, test } from 'vitest';
import { councilEventSchema, type CouncilEvent } from './events.js';
import { startFakeUpstream } from './fake-upstream/fake-upstream.server.js';
import { runCouncil } from './runner.js';
import { createChatClient } from './upstream/chat-client.js';

// Issue 22 §3, reasoning models: `delta.reasoning` streams into `model_reasoning` events (kept
// apart from the answer), counts as progress, is never passed to reviewers or the chairman, and
// its tokens are recorded.

const THOUGHT = 'First I consider the tides, then the moon’s pull, then I check the units twice.';

test('a reasoning model’s thinking streams as model_reasoning before its answer and never reaches another model', async () => {
  const upstream = await startFakeUpstream();
  onTestFinished(() => upstream.close());
  upstream.setBehavior('m/thinker', { reasoning: THOUGHT, tokenDelayMs: 2 });
  const { chat } = createChatClient({
    baseUrl: upstream.url,
    apiKey: 'sk-test',
    timeouts: { firstTokenMs: 2_000, idleMs: 2_000, totalMs: 10_000 },
  });
  const events: CouncilEvent[] = [];
  const outcome = await runCouncil(
    {
      question: 'Why are there two tides a day?',
      history: [],
      models: ['m/thinker', 'm/plain'],
      chairmanModel: 'm/chair',
      attempt: 1,
    },
    {
      chat,
      signal: new AbortController().signal,
      deltaIntervalMs: 0,
      emit: (event) => {
        events.push(councilEventSchema.parse(event));
        return Promise.resolve();
      },
    },
  );
  expect(outcome).toEqual({ status: 'completed' });

  const ofThinker = events.filter(
    (e) => 'model' in e && e.model === 'm/thinker' && 'stage' in e && e.stage === 'stage1',
  );
  const thoughts = ofThinker.flatMap((e) => (e.type === 'model_reasoning' ? [e.text] : []));
  expect(thoughts.join('')).toBe(THOUGHT);
  // Thinking comes first: every thought before the first word of the answer.
  const firstText = ofThinker.findIndex((e) => e.type === 'model_delta');
  const lastThought = ofThinker.findLastIndex((e) => e.type === 'model_reasoning');
  expect(lastThought).toBeGreaterThanOrEqual(0);
  expect(lastThought).toBeLessThan(firstText);
  const completed = ofThinker.find((e) => e.type === 'model_completed');
  expect(completed?.type === 'model_completed' && completed.content).not.toContain('tides, then the moon');
  expect(completed?.type === 'model_completed' && completed.usage?.reasoningTokens).toBeGreaterThan(10);
  // The plain model never thinks.
  expect(events.some((e) => e.type === 'model_reasoning' && e.model === 'm/plain')).toBe(false);

  // Reviewers and the chairman read the answers, never the thinking.
  const others = upstream.requests.filter((r) => r.messages.some((m) => m.content.includes('FINAL RANKING')));
  expect(others.length).toBeGreaterThan(0);
  for (const request of others) {
    expect(request.messages.map((m) => m.content).join('\n')).not.toContain('tides, then the moon');
  }
});
