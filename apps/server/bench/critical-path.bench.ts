/**
 * `pnpm bench:critical-path`: where a lone run's time over its critical path goes. One user asks
 * one question at a time (the short profile: every call 390 ms, so a run's critical path is three
 * calls, 1.17 s), and the fake upstream's log — when each call arrived and when its answer was fully
 * written — splits the wall time the client sees into the server's own steps:
 *
 *   start → answers asked   council.start answered, the run picked up, the stage-1 calls sent
 *   answers → reviews       the last answer written → the first review call arrives
 *   reviews → chairman      the last review written → the chairman's call arrives
 *   chairman → client       the synthesis written → the client reads run_completed
 *   upstream lateness       what the fake's own calls took beyond their 390 ms (machine load)
 *
 * On PGlite, and on PostgreSQL when DATABASE_URL or TEST_DATABASE_URL is set. Median of ROUNDS runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeUpstream, type RecordedRequest } from '@llm-council/council/fake-upstream';
import { CHAIRMAN, MODELS, TITLE_MODEL, benchCouncilEnv, registerUsers, useProfile } from './bench-council.js';
import { giveUpAfter, startBenchServer, benchServerEnv, withPostgresDatabase } from './bench-process.js';
import { measureRun, shortProfile, stat } from './bench-runs.js';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 15);
const bench = shortProfile;

interface Split {
  wall: number;
  overCriticalPath: number;
  startToAnswers: number;
  answersToReviews: number;
  reviewsToChairman: number;
  chairmanToClient: number;
  upstreamLateness: number;
}

const isReview = (r: RecordedRequest) => r.messages.some((m) => m.content.includes('<<<BEGIN Response'));

function splitOf(requests: RecordedRequest[], startedAt: number, endedAt: number): Split {
  const calls = requests.filter((r) => r.model !== TITLE_MODEL);
  const answers = calls.filter((r) => MODELS.includes(r.model) && !isReview(r));
  const reviews = calls.filter((r) => MODELS.includes(r.model) && isReview(r));
  const chairman = calls.find((r) => r.model === CHAIRMAN);
  if (answers.length !== MODELS.length || reviews.length !== MODELS.length || !chairman) {
    throw new Error(`unexpected calls: ${answers.length} answers, ${reviews.length} reviews, chairman ${!!chairman}`);
  }
  const ended = (r: RecordedRequest) => r.endedAt ?? Number.NaN;
  const lastAnswer = Math.max(...answers.map(ended));
  const lastReview = Math.max(...reviews.map(ended));
  const stageLateness = (stage: RecordedRequest[]) =>
    Math.max(...stage.map(ended)) - Math.min(...stage.map((r) => r.at)) - bench.callMs;
  return {
    wall: endedAt - startedAt,
    overCriticalPath: endedAt - startedAt - bench.criticalPathMs,
    startToAnswers: Math.min(...answers.map((r) => r.at)) - startedAt,
    answersToReviews: Math.min(...reviews.map((r) => r.at)) - lastAnswer,
    reviewsToChairman: chairman.at - lastReview,
    chairmanToClient: endedAt - ended(chairman),
    upstreamLateness: stageLateness(answers) + stageLateness(reviews) + stageLateness([chairman]),
  };
}

async function benchEngine(
  engine: string,
  upstream: Awaited<ReturnType<typeof startFakeUpstream>>,
  databaseUrl?: string,
) {
  const dataDir = mkdtempSync(join(tmpdir(), 'llmc-bench-'));
  const server = await startBenchServer(benchServerEnv({ databaseUrl, dataDir }, benchCouncilEnv(upstream)));
  try {
    const [user] = await registerUsers(server.api, 1);
    if (!user) throw new Error('no user');
    useProfile(upstream, bench);
    const splits: Split[] = [];
    for (let round = 0; round < ROUNDS + 2; round++) {
      const { id } = await user.mutate<{ id: string }>('conversations.create', {});
      upstream.requests.length = 0;
      // Date.now() on both sides: the fake upstream runs in this process and logs with it.
      const startedAt = Date.now();
      const sample = await measureRun(user, id, `Question ${round}?`);
      const endedAt = Date.now();
      if (sample.error) throw new Error(`run failed: ${sample.error}`);
      // Title calls can still be streaming; the council's calls have all ended.
      if (round >= 2) splits.push(splitOf([...upstream.requests], startedAt, endedAt)); // 2 warm-up runs
    }
    const row = (key: keyof Split) => Math.round(stat(splits.map((s) => s[key])).median);
    return {
      engine,
      wall: row('wall'),
      'over critical path': row('overCriticalPath'),
      'start → answers asked': row('startToAnswers'),
      'answers → reviews': row('answersToReviews'),
      'reviews → chairman': row('reviewsToChairman'),
      'chairman → client': row('chairmanToClient'),
      'upstream lateness': row('upstreamLateness'),
    };
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

giveUpAfter(10 * 60_000);
const upstream = await startFakeUpstream({ port: 0 });
const postgresUrl = process.env['DATABASE_URL'] || process.env['TEST_DATABASE_URL'];
try {
  const rows = [await benchEngine('pglite', upstream)];
  if (postgresUrl) rows.push(await withPostgresDatabase(postgresUrl, (url) => benchEngine('postgres', upstream, url)));
  console.log(
    `\nOne run at a time, short profile (critical path ${bench.criticalPathMs} ms), median of ${ROUNDS} runs, ms:`,
  );
  console.table(Object.fromEntries(rows.map(({ engine, ...rest }) => [engine, rest])));
  console.log(`load average (1 min): ${loadavg()[0]?.toFixed(2)}`);
} finally {
  await upstream.close();
}
