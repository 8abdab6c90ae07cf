import { randomBytes } from 'node:crypto';
import type { ChatMessage, ChatTimeouts } from '@llm-council/council';
import {
  startFakeUpstream,
  type FakeUpstream,
  type FakeUpstreamOptions,
  type RecordedRequest,
} from '@llm-council/council/fake-upstream';
import {
  memoryTokenStore,
  type CouncilClient,
  type RunEventEnvelope,
  type RouterOutputs,
  type RunStatus,
} from '@llm-council/sdk';
import { STRONG_PASSWORD, registerUser, startTestServer, uniqueEmail, type TestServer } from './test-server.js';

/** The council every council test asks unless it says otherwise; chairman and title are separate models. */
export const COUNCIL = ['test/alpha', 'test/beta', 'test/gamma'] as const;
export const CHAIRMAN = 'test/chair';
export const TITLE_MODEL = 'test/title';

/** The council model that sees images in `visionCatalogue`; the others read text only. */
export const VISION_MODEL = COUNCIL[0];

/** The fake upstream's /models for tests about attachments: only `VISION_MODEL` takes image input. */
export const visionCatalogue = [...COUNCIL, CHAIRMAN, TITLE_MODEL].map((id) => ({
  id,
  name: id,
  contextLength: null,
  pricing: null,
  inputModalities: id === VISION_MODEL ? ['text', 'image'] : ['text'],
}));

export type RunRecord = RouterOutputs['council']['get'];

/** A delivered event with the moment this test process received it. */
export type ReceivedEvent = RunEventEnvelope & { receivedAt: number };

export interface CouncilTestbed {
  upstream: FakeUpstream;
  server: TestServer;
  close(): Promise<void>;
}

/**
 * A fake upstream on loopback and a real server pointed at it, with the council above. Model
 * behaviour defaults to short scripted replies streamed a token per millisecond or two.
 */
export async function startCouncilTestbed(
  options: {
    env?: Record<string, string>;
    upstream?: FakeUpstreamOptions;
    upstreamTimeouts?: Partial<ChatTimeouts>;
  } = {},
): Promise<CouncilTestbed> {
  const upstream = await startFakeUpstream({
    port: 0,
    defaultBehavior: { tokenDelayMs: 1, reply: councilReply() },
    ...options.upstream,
  });
  const server = await startTestServer({
    env: { ...councilEnv(upstream.url), ...options.env },
    ...(options.upstreamTimeouts ? { upstreamTimeouts: options.upstreamTimeouts } : {}),
  });
  return {
    upstream,
    server,
    async close() {
      await server.close();
      await upstream.close();
    },
  };
}

/** The configuration variables that point a server at the fake upstream with the test council. */
export function councilEnv(upstreamUrl: string): Record<string, string> {
  return {
    OPENROUTER_BASE_URL: upstreamUrl,
    COUNCIL_MODELS: COUNCIL.join(','),
    CHAIRMAN_MODEL: CHAIRMAN,
    TITLE_MODEL,
  };
}

/** A key that looks like an OpenRouter key and is unique to the caller. */
export function newApiKey(): string {
  return `sk-or-v1-${randomBytes(16).toString('hex')}`;
}

/**
 * Signs up a user (the factory's insert, then a login), saves their own OpenRouter key (unless `apiKey` is null) and opens a
 * conversation. `clientFor` builds more clients signed in as the same user (same token store),
 * e.g. one whose connection drops, or one talking to another host.
 */
export async function signUpWithKey(server: TestServer, apiKey: string | null = newApiKey()) {
  const tokenStore = memoryTokenStore();
  const { client, userId } = await registerUser(server, uniqueEmail('council'), STRONG_PASSWORD, { tokenStore });
  if (apiKey !== null) await client.settings.saveApiKey.mutate({ provider: 'openrouter', apiKey });
  const conversation = await client.conversations.create.mutate({});
  return {
    client,
    userId,
    apiKey,
    conversationId: conversation.id,
    clientFor: (target: TestServer, options: { fetch?: typeof fetch } = {}) =>
      target.client({ tokenStore, ...options }),
  };
}

/**
 * Signs up a user and starts a run that stays busy: every council model streams 400 tokens 25 ms
 * apart and the title call hangs. Resolves once all four upstream requests are open.
 */
export async function startBusyRun(bed: CouncilTestbed, content: string) {
  const long = Array.from({ length: 400 }, (_, i) => `t${i}`).join(' ');
  for (const model of COUNCIL) bed.upstream.setBehavior(model, { tokenDelayMs: 25, reply: () => long });
  bed.upstream.setBehavior(TITLE_MODEL, { hang: true });
  const user = await signUpWithKey(bed.server);
  const { runId } = await user.client.council.start.mutate({ conversationId: user.conversationId, content });
  await waitUntil(() => bed.upstream.openRequests === 4, 5_000, 'four open upstream requests');
  return { ...user, runId };
}

/**
 * Follows a run through the SDK until its terminal event and returns every event with its
 * arrival time. Fails (with what arrived so far) if the run does not end within `timeoutMs`.
 */
export async function followToEnd(
  client: CouncilClient,
  runId: string,
  options: {
    lastEventId?: string;
    timeoutMs?: number;
    /** How often the SDK may reconnect (its default is 5). */
    maxReconnects?: number;
    /** Sees each event as it arrives. */
    onEvent?: (envelope: RunEventEnvelope) => void;
    /** Delivery lag allowed per event; a fault test that holds writes back lifts it. */
    maxLagMs?: number;
  } = {},
): Promise<ReceivedEvent[]> {
  const signal = AbortSignal.timeout(options.timeoutMs ?? 15_000);
  const received: ReceivedEvent[] = [];
  const followedAt = Date.now();
  const follow = client.followRun(runId, {
    signal,
    ...(options.lastEventId !== undefined ? { lastEventId: options.lastEventId } : {}),
    ...(options.maxReconnects !== undefined ? { maxReconnects: options.maxReconnects } : {}),
  });
  for await (const envelope of follow) {
    received.push({ ...envelope, receivedAt: Date.now() });
    options.onEvent?.(envelope);
  }
  if (!isTerminal(received.at(-1))) {
    throw new Error(`run ${runId} did not end in time; got ${received.map((e) => e.event.type).join(', ')}`);
  }
  // Live means live: an event stored while we listened must not wait for a periodic poll.
  for (const envelope of received) {
    const lagMs = envelope.receivedAt - Math.max(Date.parse(envelope.at), followedAt);
    if (lagMs > (options.maxLagMs ?? MAX_DELIVERY_LAG_MS)) {
      throw new Error(
        `event ${envelope.seq} (${envelope.event.type}) of run ${runId} arrived ${lagMs} ms after it was stored`,
      );
    }
  }
  return received;
}

/**
 * Subscribes to a run and unsubscribes as soon as `isEnough(received)` holds (or the stream
 * ends first): a client that leaves mid-run. Resolves with what it received.
 */
export function subscribeUntil(
  client: CouncilClient,
  runId: string,
  isEnough: (received: RunEventEnvelope[]) => boolean,
): Promise<{ received: RunEventEnvelope[]; hasLeft: boolean }> {
  const received: RunEventEnvelope[] = [];
  return new Promise((resolve, reject) => {
    const subscription = client.council.events.subscribe(
      { runId },
      {
        onData: ({ data }) => {
          received.push(data);
          if (!isEnough(received)) return;
          subscription.unsubscribe();
          resolve({ received, hasLeft: true });
        },
        onComplete: () => resolve({ received, hasLeft: false }),
        onError: reject,
      },
    );
  });
}

/** Far above normal delivery (milliseconds), far below the event stream's 10-second safety poll. */
const MAX_DELIVERY_LAG_MS = 4_000;

export function isTerminal(envelope: RunEventEnvelope | undefined): boolean {
  const type = envelope?.event.type;
  return type === 'run_completed' || type === 'run_failed' || type === 'run_cancelled' || type === 'run_interrupted';
}

/** Polls `council.get` until the run reaches one of `statuses`. */
export async function waitForRunStatus(
  client: CouncilClient,
  runId: string,
  statuses: RunStatus[],
  timeoutMs = 15_000,
): Promise<RunRecord> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await client.council.get.query({ runId });
    if (statuses.includes(run.status)) return run;
    // A finished run never changes again (only a retry would): say so now, with its error.
    const isFinished = !['queued', 'running'].includes(run.status);
    if (isFinished || Date.now() > deadline) {
      throw new Error(
        `run ${runId} is ${run.status}, expected ${statuses.join('|')}${run.error ? `: ${JSON.stringify(run.error)}` : ''}`,
      );
    }
    await sleep(25);
  }
}

/** Waits until `predicate` holds, polling every few milliseconds; returns the elapsed time. */
export async function waitUntil(predicate: () => boolean, timeoutMs: number, what: string): Promise<number> {
  const startedAt = Date.now();
  while (!predicate()) {
    if (Date.now() - startedAt > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
  return Date.now() - startedAt;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export type UpstreamStage = 'stage1' | 'stage2' | 'stage3' | 'title';

/** Which council step a recorded upstream request belongs to, read off its prompt's wording. */
export function stageOf(request: Pick<RecordedRequest, 'messages'>): UpstreamStage {
  return stageOfMessages(request.messages);
}

function stageOfMessages(messages: ChatMessage[]): UpstreamStage {
  if (messages.some((m) => m.role === 'system' && /chairman/i.test(m.content))) return 'stage3';
  const prompt = messages.map((m) => m.content).join('\n');
  if (prompt.includes('FINAL RANKING')) return 'stage2';
  if (/short title/i.test(prompt)) return 'title';
  return 'stage1';
}

/** The recorded requests of one stage (and model, if given). */
export function requestsOf(upstream: FakeUpstream, stage: UpstreamStage, model?: string): RecordedRequest[] {
  return upstream.requests.filter((r) => stageOf(r) === stage && (model === undefined || r.model === model));
}

/** The question a request is about: stage 1 asks it as the last user message, the others quote it. */
export function questionOf(request: Pick<RecordedRequest, 'messages'>): string {
  const prompt = request.messages.map((m) => m.content).join('\n');
  const quoted = /<question>\s*([\s\S]*?)\s*<\/question>/.exec(prompt)?.[1];
  return quoted ?? request.messages.at(-1)?.content ?? '';
}

/**
 * A scripted model: short answers that name the model, reviews that end in a `FINAL RANKING:`
 * of the given order (labels, best first; default: the labels as presented), a chairman answer
 * and a title. Every reply is deterministic, so tests can assert exact content.
 */
export function councilReply(
  options: { ranking?: (labels: string[]) => string[]; answer?: (question: string) => string } = {},
): (messages: ChatMessage[]) => string {
  return (messages) => {
    const question = questionOf({ messages });
    switch (stageOfMessages(messages)) {
      case 'stage1':
        return options.answer?.(question) ?? `An answer about ${question.slice(0, 40)} in a few plain words.`;
      case 'stage2': {
        const prompt = messages.map((m) => m.content).join('\n');
        const labels = [...prompt.matchAll(/<<<BEGIN (Response [A-Z]+) \w+>>>/g)].map((m) => m[1] ?? '');
        const ranked = options.ranking?.(labels) ?? labels;
        return `Each response has merits.\n\nFINAL RANKING:\n${ranked.map((label, i) => `${i + 1}. ${label}`).join('\n')}`;
      }
      case 'stage3':
        return `The council's final answer, weighing every response and review.`;
      case 'title':
        return 'Scripted Test Title';
    }
  };
}

/**
 * Recomputes the peer-only "street cred" scores from complete rankings, independently of the
 * engine: each reviewer's own answer is removed, the rest score 1 (first) down to 0 (last).
 */
export function expectedPeerScores(
  reviews: { reviewer: string; parsedRanking: string[] }[],
  labelToModel: Record<string, string>,
): Map<string, { score: number; votes: number }> {
  const points = new Map<string, number[]>();
  for (const { reviewer, parsedRanking } of reviews) {
    const peers = parsedRanking.filter((label) => labelToModel[label] !== reviewer);
    peers.forEach((label, index) => {
      const model = labelToModel[label] ?? label;
      points.set(model, [...(points.get(model) ?? []), 1 - index / (peers.length - 1)]);
    });
  }
  return new Map(
    [...points].map(([model, list]) => [
      model,
      { score: list.reduce((a, b) => a + b, 0) / list.length, votes: list.length },
    ]),
  );
}
