/**
 * Runs the fake upstream for an offline demo: `tsx packages/council/src/fake-upstream/cli.ts`.
 * Point the server's provider base URL at the printed URL; any API key is accepted. This is the
 * only file of the package that reads the environment, because it is a process entry point.
 */
import { councilMethodScenario, demoBehaviorFor, demoCatalog } from './demo-catalog.js';
import { startFakeUpstream } from './fake-upstream.server.js';

const port = Number(process.env.FAKE_UPSTREAM_PORT ?? 8787);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`FAKE_UPSTREAM_PORT must be a port number, got "${process.env.FAKE_UPSTREAM_PORT}"`);
  process.exit(1);
}

// No `models` option: ids outside the catalog (a configured title model, say) still get answers.
const upstream = await startFakeUpstream({ port, defaultBehavior: demoBehaviorFor('') });
for (const model of demoCatalog) upstream.setBehavior(model.id, demoBehaviorFor(model.id));
// `council-method` scripts the default council so one run shows every verdict feature at once.
if (process.env.FAKE_UPSTREAM_SCENARIO === 'council-method') {
  for (const [model, behavior] of Object.entries(councilMethodScenario)) {
    upstream.setBehavior(model, { ...demoBehaviorFor(model), ...behavior });
  }
}

// `slow-answers`: every model streams a word every 250 ms, so a browser test can stop a run mid-answer.
if (process.env.FAKE_UPSTREAM_SCENARIO === 'slow-answers') {
  for (const model of demoCatalog) upstream.setBehavior(model.id, { ...demoBehaviorFor(model.id), tokenDelayMs: 250 });
}

console.log(`Fake OpenAI-compatible upstream (offline demo, replies are simulated) at ${upstream.url}`);
console.log(`Models: ${demoCatalog.map((m) => m.id).join(', ')}`);

async function shutDown(): Promise<void> {
  await upstream.close();
  process.exit(0);
}
process.once('SIGINT', () => void shutDown());
process.once('SIGTERM', () => void shutDown());
