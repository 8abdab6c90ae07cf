// `pnpm dev:offline`: the whole product with no API key and no network. A fake OpenAI-compatible
// upstream (clearly labelled demo replies, realistic streaming) runs in this process and the
// server is pointed at it. Any API key is accepted in Settings.
import { demoBehaviorFor, demoCatalog, startFakeUpstream } from '@llm-council/council/fake-upstream';
import { bootServer } from '../src/boot.js';

const upstreamPort = Number(process.env['FAKE_UPSTREAM_PORT'] ?? 8787);
const upstream = await startFakeUpstream({ port: upstreamPort, defaultBehavior: demoBehaviorFor('') });
for (const model of demoCatalog) upstream.setBehavior(model.id, demoBehaviorFor(model.id));

console.log(`\n  DEMO MODE: answers come from a simulated upstream at ${upstream.url}, not from real models.`);
console.log('  Register, save any API key in Settings, and ask a question.\n');

await bootServer({
  ...process.env,
  OPENROUTER_BASE_URL: upstream.url,
  DATA_DIR: process.env['DATA_DIR'] ?? './data-offline',
});
