/**
 * `pnpm --filter @llm-council/server bench:reader`: the CPU the server spends reading one upstream
 * answer (400 chunks, one word each, 1 ms apart so each arrives on its own), through `fetch` + web
 * streams and through the `node:http` byte reader, 20 calls at a time. The fake upstream runs in a
 * child process, so only the reader's side is counted. Each transport is measured twice, alternately.
 */
import { fork } from 'node:child_process';
import { loadavg } from 'node:os';
import { createChatClient, fetchTransport, type UpstreamTransport } from '@llm-council/council';
import { startFakeUpstream } from '@llm-council/council/fake-upstream';
import { nodeTransport } from '@llm-council/council/node-transport';

const CALLS = 60;
const AT_ONCE = 20;

if (process.argv[2] === 'upstream') {
  const upstream = await startFakeUpstream({ port: 0 });
  upstream.setBehavior('bench/reader', {
    text: Array.from({ length: 400 }, (_, i) => `w${i}`).join(' '),
    tokenDelayMs: 1,
  });
  process.send?.(upstream.url);
} else {
  const child = fork(import.meta.filename, ['upstream'], { execArgv: ['--import', 'tsx'] });
  const url = await new Promise<string>((resolve) => child.once('message', (message) => resolve(message as string)));
  const transports: [string, UpstreamTransport][] = [
    ['fetch + web streams', fetchTransport(fetch)],
    ['node:http bytes', nodeTransport],
  ];
  const call = (chat: ReturnType<typeof createChatClient>['chat']) =>
    chat({ model: 'bench/reader', messages: [{ role: 'user', content: 'q' }], onDelta: () => undefined });
  for (const round of [1, 2]) {
    for (const [name, transport] of transports) {
      const { chat } = createChatClient({ baseUrl: url, apiKey: 'bench', transport });
      for (let i = 0; i < 10; i++) await call(chat); // warm-up
      const before = process.cpuUsage();
      for (let i = 0; i < CALLS; i += AT_ONCE) await Promise.all(Array.from({ length: AT_ONCE }, () => call(chat)));
      const used = process.cpuUsage(before);
      const ms = (used.user + used.system) / 1000 / CALLS;
      console.log(
        `round ${round}, ${name}: ${ms.toFixed(1)} ms CPU per 400-chunk answer (load ${loadavg()[0]?.toFixed(1)})`,
      );
    }
  }
  child.kill();
}
