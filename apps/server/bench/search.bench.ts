/**
 * `pnpm bench:search`: conversations.search for a user with 10,000 conversations, over HTTP
 * against the real server (a child process), on PGlite and — when DATABASE_URL or
 * TEST_DATABASE_URL is set — PostgreSQL. Each conversation has a title, a question, four stage-1
 * answers and a final answer (~1,100 words) drawn from a Zipf-distributed vocabulary, so some
 * words are in nearly every text and others in a handful. A second user's 1,000 conversations
 * share the index. Seeding goes through conversations.import (the export format). Prints median
 * and p95 per query kind: rare (a few conversations), common (most of them), no match.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchApi } from './bench-client.js';
import { benchServerEnv, startBenchServer, withPostgresDatabase } from './bench-process.js';

const CONVERSATIONS = 10_000;
const OTHER_USER_CONVERSATIONS = 1_000;
const PER_IMPORT = 250;
const SAMPLES = 200;
const VOCABULARY = 5_000;

// A deterministic generator: the same corpus on every engine and every run.
let state = 42;
function random(): number {
  state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
  return state / 2 ** 31;
}

const syllables = ['ka', 'lo', 'mi', 'ter', 'van', 'os', 'ril', 'du', 'pen', 'sha', 'gor', 'bel', 'ni', 'quo', 'tas'];
const words = Array.from({ length: VOCABULARY }, (_, i) => {
  let word = '';
  for (let n = i + 7; n > 0; n = Math.floor(n / syllables.length)) word += syllables[n % syllables.length];
  return word;
});
// Zipf: the word of rank r is drawn with weight 1/r.
const cumulative: number[] = [];
words.reduce((sum, _, r) => (cumulative.push(sum + 1 / (r + 1)), sum + 1 / (r + 1)), 0);
const totalWeight = cumulative.at(-1) ?? 1;
function word(): string {
  const x = random() * totalWeight;
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((cumulative[mid] ?? 0) < x) lo = mid + 1;
    else hi = mid;
  }
  return words[lo] ?? 'x';
}
const sentence = (n: number) => Array.from({ length: n }, word).join(' ');

function conversation(i: number) {
  const at = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
  const questionId = randomUUID();
  const models = ['bench/a', 'bench/b', 'bench/c', 'bench/d'];
  const response = (stage: 'stage1' | 'stage3', model: string) => ({
    stage,
    model,
    status: 'completed',
    content: sentence(180),
    parsedRanking: null,
    reviewDetails: null,
    error: null,
    usage: null,
    durationMs: 1,
    attempt: 1,
  });
  const final = response('stage3', 'bench/chair');
  return {
    id: randomUUID(),
    title: sentence(4),
    councilModels: null,
    chairmanModel: null,
    createdAt: at,
    updatedAt: at,
    importedAt: null,
    messages: [
      { id: questionId, role: 'user', content: sentence(25), createdAt: at },
      { id: randomUUID(), role: 'assistant', content: final.content, createdAt: at },
    ],
    runs: [
      {
        id: randomUUID(),
        userMessageId: questionId,
        status: 'completed',
        provider: 'openrouter',
        models,
        chairmanModel: 'bench/chair',
        titleModel: null,
        labelToModel: null,
        aggregate: null,
        verdict: null,
        error: null,
        attempt: 1,
        createdAt: at,
        startedAt: at,
        finishedAt: at,
        responses: [...models.map((m) => response('stage1', m)), final],
      },
    ],
  };
}

async function seed(user: BenchApi, count: number) {
  for (let i = 0; i < count; i += PER_IMPORT) {
    const conversations = Array.from({ length: Math.min(PER_IMPORT, count - i) }, (_, k) => conversation(i + k));
    const data = { format: 'llm-council-export', version: 1, exportedAt: new Date().toISOString(), conversations };
    await user.mutate('conversations.import', { data });
  }
}

function percentiles(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
  return { p50: at(50), p95: at(95) };
}

async function signUp(api: BenchApi): Promise<BenchApi> {
  const { accessToken } = await api.mutate<{ accessToken: string }>('auth.register', {
    email: `search-${randomBytes(6).toString('hex')}@example.test`,
    password: 'search horse battery staple',
    transport: 'body',
  });
  return api.withToken(accessToken);
}

async function bench(engine: string, databaseUrl?: string) {
  const dataDir = mkdtempSync(join(tmpdir(), 'llmc-search-'));
  const server = await startBenchServer(benchServerEnv({ databaseUrl, dataDir }));
  try {
    const user = await signUp(server.api);
    const other = await signUp(server.api);
    const seededAt = performance.now();
    await seed(user, CONVERSATIONS);
    await seed(other, OTHER_USER_CONVERSATIONS);
    const seedSeconds = (performance.now() - seededAt) / 1000;
    await server.analyze();

    // Rare: ranks ~2,000-4,000 of the vocabulary (a handful of conversations each); common: the
    // ten most frequent words (in nearly every text); no match: words of no text.
    const queries: Record<string, () => string> = {
      rare: () => words[2_000 + Math.floor(random() * 2_000)] ?? 'x',
      common: () => words[Math.floor(random() * 10)] ?? 'x',
      'common pair': () => `${words[Math.floor(random() * 10)]} ${words[10 + Math.floor(random() * 20)]}`,
      'no match': () => `zz${randomBytes(3).toString('hex')}`,
    };
    const rows: Record<string, { 'p50 ms': string; 'p95 ms': string; 'results (first page)': string }> = {};
    for (const [kind, next] of Object.entries(queries)) {
      for (let i = 0; i < 20; i++) await user.query('conversations.search', { query: next(), limit: 20 }); // warm-up
      const samples: number[] = [];
      let results = 0;
      for (let i = 0; i < SAMPLES; i++) {
        const startedAt = performance.now();
        const page = await user.query<{ items: unknown[] }>('conversations.search', { query: next(), limit: 20 });
        samples.push(performance.now() - startedAt);
        results += page.items.length;
      }
      const { p50, p95 } = percentiles(samples);
      rows[kind] = {
        'p50 ms': p50.toFixed(1),
        'p95 ms': p95.toFixed(1),
        'results (first page)': (results / SAMPLES).toFixed(1),
      };
    }
    console.log(
      `\n${engine}: ${CONVERSATIONS.toLocaleString('en')} conversations (+${OTHER_USER_CONVERSATIONS.toLocaleString('en')} of another user), seeded in ${seedSeconds.toFixed(0)} s; ${SAMPLES} sequential searches per kind, over HTTP`,
    );
    console.table(rows);
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await bench('pglite');
const postgresUrl = process.env['DATABASE_URL'] || process.env['TEST_DATABASE_URL'];
if (postgresUrl) await withPostgresDatabase(postgresUrl, (url) => bench('postgres', url));
