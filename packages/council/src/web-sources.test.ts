import { expect, onTestFinished, test } from 'vitest';
import { councilEventSchema, type CouncilEvent } from './events.js';
import { webCitations } from './fake-upstream/fake-upstream.chat.js';
import { startFakeUpstream } from './fake-upstream/fake-upstream.server.js';
import { runCouncil } from './runner.js';
import { createSourceCollector, readChatStream } from './upstream/chat-stream.js';
import { createChatClient } from './upstream/chat-client.js';

// Issue 22 §4, web search with sources: the `url_citation` annotations OpenRouter sends (on the
// streamed deltas, or on the whole message) become each answer's numbered sources, and the chairman
// is given them and told to cite them.

const citation = (url: string, title?: string | null) => ({
  type: 'url_citation',
  url_citation: { url, ...(title !== undefined && { title }), content: 'excerpt', start_index: 0, end_index: 5 },
});

function sse(chunks: unknown[]): ReadableStream<Uint8Array> {
  const text = `${chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join('')}data: [DONE]\n\n`;
  return new Response(text).body as ReadableStream<Uint8Array>;
}

test('streamed url_citation annotations become the answer’s sources: each URL once, http(s) only, bounded', async () => {
  const result = await readChatStream(
    sse([
      { choices: [{ delta: { content: 'Paris [1].' } }] },
      {
        choices: [
          {
            delta: {
              annotations: [
                citation('https://en.wikipedia.org/wiki/Paris', 'Paris - Wikipedia'),
                citation('https://en.wikipedia.org/wiki/Paris', 'the same page again'),
                citation('javascript:alert(1)', 'not a web page'),
                citation('https://example.org/untitled', null),
                { type: 'file_citation', file_citation: { file_id: 'x' } },
                { type: 'url_citation', url_citation: { title: 'no url' } },
              ],
            },
          },
        ],
      },
      { choices: [{ delta: { content: '' }, finish_reason: 'stop' }] },
    ]),
    { onChunk: () => undefined, onDelta: () => undefined },
  );
  expect(result.content).toBe('Paris [1].');
  expect(result.sources).toEqual([
    { url: 'https://en.wikipedia.org/wiki/Paris', title: 'Paris - Wikipedia' },
    { url: 'https://example.org/untitled', title: null },
  ]);

  const many = createSourceCollector();
  many.add(Array.from({ length: 30 }, (_, i) => citation(`https://example.org/${i}`, `Page ${i}`)));
  expect(many.result().sources).toHaveLength(20);
  expect(createSourceCollector().result()).toEqual({});
});

test('a web search run: every answer carries the fake upstream’s citations, and the chairman is told to cite them', async () => {
  const upstream = await startFakeUpstream();
  onTestFinished(() => upstream.close());
  const { chat } = createChatClient({
    baseUrl: upstream.url,
    apiKey: 'sk-test',
    timeouts: { firstTokenMs: 1_000, idleMs: 1_000, totalMs: 5_000 },
  });
  const events: CouncilEvent[] = [];
  const question = 'Who won the 2026 World Cup?';
  const outcome = await runCouncil(
    { question, history: [], models: ['m/alpha', 'm/beta'], chairmanModel: 'm/chair', attempt: 1, webSearch: true },
    {
      chat,
      signal: new AbortController().signal,
      emit: (event) => {
        events.push(councilEventSchema.parse(event));
        return Promise.resolve();
      },
    },
  );
  expect(outcome).toEqual({ status: 'completed' });

  const expected = webCitations({ messages: [{ role: 'user', content: question }], webSearchResults: 5 }, '').map(
    (c) => ({ url: c.url_citation.url, title: c.url_citation.title }),
  );
  expect(expected).toHaveLength(3);
  const answers = events.filter((e) => e.type === 'model_completed' && e.stage === 'stage1');
  expect(answers.map((e) => e.type === 'model_completed' && e.sources)).toEqual([expected, expected]);
  // The chairman answers without the tool, so its synthesis has no sources of its own…
  const synthesis = events.find((e) => e.type === 'model_completed' && e.stage === 'stage3');
  expect(synthesis && 'sources' in synthesis ? synthesis.sources : undefined).toBeUndefined();
  // …but reads every answer's sources and is told to cite them as links.
  const chairman = upstream.requests.find((r) => r.model === 'm/chair');
  const prompt = chairman?.messages.map((m) => m.content).join('\n') ?? '';
  expect(prompt).toContain(`[1] ${expected[0]?.title} — ${expected[0]?.url}`);
  expect(prompt).toContain('cite it inline as a Markdown link');
  expect(chairman?.tools).toBeUndefined();
});

test('without web search there are no sources, and the chairman is not asked to cite any', async () => {
  const upstream = await startFakeUpstream();
  onTestFinished(() => upstream.close());
  const { chat } = createChatClient({ baseUrl: upstream.url, apiKey: 'sk-test' });
  const events: CouncilEvent[] = [];
  await runCouncil(
    { question: 'Plain question', history: [], models: ['m/alpha', 'm/beta'], chairmanModel: 'm/chair', attempt: 1 },
    { chat, signal: new AbortController().signal, emit: (e) => (events.push(e), Promise.resolve()) },
  );
  expect(events.some((e) => e.type === 'model_completed' && e.sources !== undefined)).toBe(false);
  const chairman = upstream.requests.find((r) => r.model === 'm/chair');
  expect(chairman?.messages.map((m) => m.content).join('\n')).not.toContain('Markdown link');
});
