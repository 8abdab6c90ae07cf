/**
 * `pnpm --filter @llm-council/council bench:parse`: the CPU the SSE reader spends on one upstream
 * answer once its bytes are in memory — line splitting, JSON and shape checks, no socket. 400 chunks
 * shaped as OpenRouter sends them (id, provider, model, created, one choice with a one-word delta),
 * each fed on its own as a socket would deliver it. Prints the median of five rounds.
 */
import { loadavg } from 'node:os';
import { createChatStreamReader } from '../src/upstream/chat-stream.js';

const WORDS = 400;
const ANSWERS_PER_ROUND = 500;

const encoder = new TextEncoder();
const chunks = Array.from({ length: WORDS }, (_, i) =>
  encoder.encode(
    `data: ${JSON.stringify({
      id: 'gen-1765150000-AbCdEfGhIjKlMnOpQrSt',
      provider: 'OpenAI',
      model: 'openai/gpt-5.1',
      object: 'chat.completion.chunk',
      created: 1765150000,
      choices: [
        {
          index: 0,
          delta: { role: 'assistant', content: `word${i} ` },
          finish_reason: i === WORDS - 1 ? 'stop' : null,
          native_finish_reason: i === WORDS - 1 ? 'stop' : null,
          logprobs: null,
        },
      ],
    })}\n\n`,
  ),
);
chunks.push(
  encoder.encode(
    `data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 20, completion_tokens: WORDS, total_tokens: WORDS + 20, cost: 0.001 } })}\n\ndata: [DONE]\n\n`,
  ),
);

function readOneAnswer(): number {
  let deltas = 0;
  const reader = createChatStreamReader({ onChunk: () => undefined, onDelta: () => deltas++ });
  for (const chunk of chunks) reader.feed(chunk);
  reader.end();
  return deltas;
}

for (let i = 0; i < 200; i++) readOneAnswer(); // warm-up
const rounds: number[] = [];
for (let round = 0; round < 5; round++) {
  const before = process.cpuUsage();
  for (let i = 0; i < ANSWERS_PER_ROUND; i++) readOneAnswer();
  const used = process.cpuUsage(before);
  rounds.push((used.user + used.system) / 1000 / ANSWERS_PER_ROUND);
}
rounds.sort((a, b) => a - b);
const median = rounds[2] ?? 0;
console.log(
  `SSE reader, ${WORDS}-chunk answer in memory: ${median.toFixed(2)} ms CPU (median of 5 rounds; ${((median * 1000) / WORDS).toFixed(1)} µs a chunk; load ${loadavg()[0]?.toFixed(1)})`,
);
