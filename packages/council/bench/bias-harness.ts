import type { CouncilEvent, CouncilVerdict } from '../src/events.js';
import type { Ballot } from '../src/ranking/aggregate.js';
import type { CouncilMethod } from '../src/council-method.js';
import type { FakeUpstream } from '../src/fake-upstream/fake-upstream.types.js';
import { runCouncil } from '../src/runner.js';
import { seededRandom } from '../src/seeded-random.js';
import { createChatClient } from '../src/upstream/chat-client.js';

/**
 * Runs many seeded councils in-process against the real fake-upstream HTTP server and keeps what
 * the bias benchmark measures: who won, the tables, the reviews and the agreement of each run.
 */

export interface RunRecord {
  models: string[];
  /** Models at place 1 (several when tied). */
  winners: string[];
  peer: { model: string; place: number }[];
  allVotes: { model: string; place: number }[];
  verdict: CouncilVerdict | null;
  /** The counted ballots and labels, to judge the same runs again with other margins. */
  ballots: Ballot[];
  labelToModel: Record<string, string>;
  reviews: { reviewer: string; status: string | undefined; repaired: boolean; complete: boolean }[];
  /** Review-stage calls (first asks and repair asks) made to the upstream during this run. */
  reviewCalls: number;
  failed: boolean;
}

export interface Scenario {
  runs: number;
  seed: number;
  /** The council for run i, in configured order. */
  modelsFor: (run: number, random: () => number) => string[];
  method?: Partial<CouncilMethod>;
  concurrency?: number;
}

export async function runScenario(upstream: FakeUpstream, scenario: Scenario): Promise<RunRecord[]> {
  const { chat } = createChatClient({ baseUrl: upstream.url, apiKey: 'bench', sleep: () => Promise.resolve() });
  const records: RunRecord[] = new Array<RunRecord>(scenario.runs);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < scenario.runs) {
      const index = next++;
      const random = seededRandom(scenario.seed * 100_003 + index);
      records[index] = await runOnce(chat, scenario.modelsFor(index, random), random, scenario.method ?? {}, index);
    }
  }
  await Promise.all(Array.from({ length: scenario.concurrency ?? 8 }, () => worker()));
  return records;
}

async function runOnce(
  chat: ReturnType<typeof createChatClient>['chat'],
  models: string[],
  random: () => number,
  method: Partial<CouncilMethod>,
  index: number,
): Promise<RunRecord> {
  const events: CouncilEvent[] = [];
  let reviewCalls = 0;
  // Counting calls at the client, not the server, keeps concurrent runs apart.
  const countingChat: typeof chat = (request) => {
    if (request.messages[0]?.content.includes('<<<BEGIN')) reviewCalls++;
    return chat(request);
  };
  const { status } = await runCouncil(
    // A distinct question per run keeps the fake's answer texts (and so their qualities) apart.
    { question: `Bench question ${index}?`, history: [], models, chairmanModel: 'bench/chair', attempt: 1, method },
    {
      chat: countingChat,
      random,
      signal: new AbortController().signal,
      emit: (event) => {
        if (event.type !== 'model_delta') events.push(event);
        return Promise.resolve();
      },
    },
  );
  const ranked = events.find((e) => e.type === 'aggregate_ranked');
  const labels = events.find((e) => e.type === 'labels_assigned');
  const peer = ranked?.type === 'aggregate_ranked' ? ranked.aggregate : [];
  const allVotes = ranked?.type === 'aggregate_ranked' ? (ranked.allVotes ?? []) : [];
  const reviews = events.flatMap((e) =>
    e.type === 'review_completed'
      ? [
          {
            reviewer: e.reviewer,
            status: e.rankingStatus,
            repaired: e.repaired ?? false,
            complete: e.parsedRanking.length === models.length,
          },
        ]
      : [],
  );
  return {
    models,
    winners: peer.filter((row) => row.place === 1).map((row) => row.model),
    peer: peer.map((row) => ({ model: row.model, place: row.place ?? 0 })),
    allVotes: allVotes.map((row) => ({ model: row.model, place: row.place ?? 0 })),
    verdict: ranked?.type === 'aggregate_ranked' ? (ranked.verdict ?? null) : null,
    ballots: events.flatMap((e) =>
      e.type === 'review_completed' && e.parsedRanking.length > 0
        ? [{ reviewer: e.reviewer, ranking: e.parsedRanking, shown: e.shownOrder ?? [] }]
        : [],
    ),
    labelToModel: labels?.type === 'labels_assigned' ? labels.labelToModel : {},
    reviews,
    reviewCalls,
    failed: status !== 'completed',
  };
}

/** Each model's share of wins; a tie for first splits the win between the tied models. */
export function winShares(records: readonly RunRecord[], models: readonly string[]): Map<string, number> {
  const shares = new Map(models.map((m) => [m, 0]));
  for (const record of records) {
    for (const winner of record.winners) shares.set(winner, (shares.get(winner) ?? 0) + 1 / record.winners.length);
  }
  return new Map([...shares].map(([model, wins]) => [model, wins / records.length]));
}

export const percent = (share: number): string => `${(share * 100).toFixed(1)}%`;
