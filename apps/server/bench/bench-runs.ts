import type { ChatMessage } from '@llm-council/council';
import { terminalTypes, type BenchApi } from './bench-client.js';

/**
 * How the fake upstream answers in a benchmark: the first token after `firstTokenMs`, then one
 * token (a word, one chunk) every `tokenDelayMs`, `tokensPerReply` of them; titles are short. A
 * reasoning model first streams `reasoningTokens` words of thinking (`delta.reasoning`) at the
 * same pace, then its answer.
 * Every call of a stage lasts `callMs`, so a run's critical path — stage 1, stage 2 and the
 * chairman strictly one after another — lasts `criticalPathMs`, whatever the model.
 */
export interface BenchProfile {
  name: 'realistic' | 'short' | 'thinking';
  firstTokenMs: number;
  tokenDelayMs: number;
  tokensPerReply: number;
  reasoningTokens: number;
  callMs: number;
  criticalPathMs: number;
}

function profile(
  name: BenchProfile['name'],
  firstTokenMs: number,
  tokenDelayMs: number,
  tokensPerReply: number,
  reasoningTokens = 0,
): BenchProfile {
  const callMs = firstTokenMs + (reasoningTokens + tokensPerReply - 1) * tokenDelayMs;
  return { name, firstTokenMs, tokenDelayMs, tokensPerReply, reasoningTokens, callMs, criticalPathMs: 3 * callMs };
}

/** Real council members: 400 words at 50 words/s after half a second. */
export const realisticProfile: BenchProfile = profile('realistic', 500, 20, 400);
/** The orchestration floor: 20 words, 10 ms apart, after 200 ms. */
export const shortProfile: BenchProfile = profile('short', 200, 10, 20);
/** Reasoning models: 300 words of thinking, then the realistic answer, at the same pace. */
export const thinkingProfile: BenchProfile = profile('thinking', 500, 20, 400, 300);

/** What a reasoning model thinks aloud before answering, `count` words. */
export function benchThought(count: number): string {
  return words(count, 'thought').join(' ');
}

function words(count: number, word: string): string[] {
  return Array.from({ length: Math.max(0, count) }, (_, i) => `${word}${i}`);
}

/** A reply of exactly `tokensPerReply` words in the shape each stage expects. */
export function benchReply(tokensPerReply: number): (messages: ChatMessage[]) => string {
  return (messages) => {
    const prompt = messages.map((m) => m.content).join('\n');
    if (!messages.some((m) => m.role === 'system') && prompt.includes('FINAL RANKING')) {
      const labels = [...new Set([...prompt.matchAll(/<<<BEGIN (Response [A-Z]+) \w+>>>/g)].map((m) => m[1] ?? ''))];
      const ranking = [...labels].reverse().map((label, i) => `${i + 1}. ${label}`);
      // "FINAL RANKING:" is two words, each "1. Response A" three.
      return `${words(tokensPerReply - 2 - 3 * labels.length, 'critique').join(' ')}\nFINAL RANKING:\n${ranking.join('\n')}`;
    }
    return words(tokensPerReply, 'word').join(' ');
  };
}

export interface RunSample {
  status: string;
  wallMs: number;
  /** Start → the first thinking shown (a reasoning model's first `model_reasoning`). */
  firstThoughtMs: number | null;
  firstDeltaMs: number | null;
  /** Slowest stage-1 answer + slowest review + chairman, as the server timed the calls. */
  observedCriticalPathMs: number;
  failedModels: number;
  /** `stage:code` of every model failure, e.g. `stage1:UPSTREAM_TIMEOUT`. */
  failures: string[];
  /** Events the run stored (mostly coalesced deltas: one per model per 100 ms of streaming). */
  events: number;
  error: string | null;
}

/**
 * Starts one run and follows it to its end, timing it from just before `council.start`;
 * `onStarted` gets the run's id and that start time (another follower may join).
 */
export async function measureRun(
  user: BenchApi,
  conversationId: string,
  content: string,
  onStarted?: (runId: string, startedAt: number) => void,
): Promise<RunSample> {
  const startedAt = performance.now();
  let firstDeltaMs: number | null = null;
  let firstThoughtMs: number | null = null;
  let endedAt: number | null = null;
  let status = 'unfinished';
  let stage1 = 0;
  let stage2 = 0;
  let chairman = 0;
  let failedModels = 0;
  const failures: string[] = [];
  let events = 0;
  try {
    const { runId } = await user.mutate<{ runId: string }>('council.start', { conversationId, content });
    onStarted?.(runId, startedAt);
    await user.follow(
      runId,
      ({ event }) => {
        const now = performance.now();
        events += 1;
        if (event.type === 'model_delta') firstDeltaMs ??= now - startedAt;
        if (event.type === 'model_reasoning') firstThoughtMs ??= now - startedAt;
        if (event.type === 'model_completed' && event.stage === 'stage1') stage1 = Math.max(stage1, event.durationMs);
        if (event.type === 'model_completed' && event.stage === 'stage3') chairman = event.durationMs;
        if (event.type === 'review_completed') stage2 = Math.max(stage2, event.durationMs);
        if (event.type === 'model_failed') {
          failedModels += 1;
          failures.push(`${event.stage}:${event.error.code}`);
        }
        if (event.type === 'run_failed') failures.push(`run:${event.error.code}`);
        if (terminalTypes.has(event.type)) {
          endedAt = now;
          status = event.type;
        }
      },
      AbortSignal.timeout(300_000),
    );
  } catch (error) {
    return sample(null, describe(error));
  }
  return sample(endedAt === null ? null : (endedAt as number) - startedAt, status === 'run_completed' ? null : status);

  function sample(wallMs: number | null, error: string | null): RunSample {
    return {
      status,
      wallMs: wallMs ?? Number.NaN,
      firstThoughtMs,
      firstDeltaMs,
      observedCriticalPathMs: stage1 + stage2 + chairman,
      failedModels,
      failures,
      events,
      error,
    };
  }
}

export interface Stat {
  median: number;
  p95: number;
}

export interface Summary {
  wallMs: Stat;
  overheadMs: Stat;
  overheadVsObservedMs: Stat;
  observedCriticalPathMs: Stat;
  firstThoughtMs: Stat;
  firstDeltaMs: Stat;
  eventsPerRun: Stat;
  errors: number;
  failedModelCalls: number;
  /** How often each `stage:code` failure occurred. */
  failureCodes: Record<string, number>;
  errorSamples: string[];
}

/** Nearest-rank percentile of the finite values. */
function percentile(values: number[], p: number): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

export function stat(values: number[]): Stat {
  const round = (ms: number) => Math.round(ms);
  return { median: round(percentile(values, 50)), p95: round(percentile(values, 95)) };
}

/** Statistics over the completed runs; everything else counts as an error. */
export function summarize(samples: RunSample[], bench: BenchProfile): Summary {
  const ok = samples.filter((s) => s.error === null);
  return {
    wallMs: stat(ok.map((s) => s.wallMs)),
    overheadMs: stat(ok.map((s) => s.wallMs - bench.criticalPathMs)),
    overheadVsObservedMs: stat(ok.map((s) => s.wallMs - s.observedCriticalPathMs)),
    observedCriticalPathMs: stat(ok.map((s) => s.observedCriticalPathMs)),
    firstThoughtMs: stat(ok.flatMap((s) => (s.firstThoughtMs === null ? [] : [s.firstThoughtMs]))),
    firstDeltaMs: stat(ok.flatMap((s) => (s.firstDeltaMs === null ? [] : [s.firstDeltaMs]))),
    eventsPerRun: stat(ok.map((s) => s.events)),
    errors: samples.length - ok.length,
    failedModelCalls: samples.reduce((sum, s) => sum + s.failedModels, 0),
    failureCodes: countOf(samples.flatMap((s) => s.failures)),
    errorSamples: [...new Set(samples.flatMap((s) => (s.error ? [s.error] : [])))].slice(0, 5),
  };
}

function countOf(items: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[item] = (counts[item] ?? 0) + 1;
  return counts;
}

/** An error with its cause (fetch's "fetch failed" says nothing without it). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause =
    error.cause instanceof Error
      ? `: ${(error.cause as Error & { code?: string }).code ?? ''} ${error.cause.message}`
      : '';
  return `${error.message}${cause}`;
}
