import { randomUUID } from 'node:crypto';
import type { Database } from '@llm-council/db';
import type { Kysely } from 'kysely';
import type { ExportedConversation, ExportedRun } from '../portability/export-format.js';
import { insertImportedConversations } from '../portability/import.repository.js';

export interface AnsweredTurn {
  question: string;
  /** Stage-1 answers by model, in council order. */
  answers: Record<string, string>;
  final: string;
  /** Tokens and cost of every call of the turn (each stage-1, stage-2 and stage-3 call). */
  usagePerCall?: { promptTokens: number; completionTokens: number; cost: number | null };
  /** When the run started (usage is dated by it). */
  at?: Date;
}

/**
 * A conversation with finished runs, stored as the run recorder leaves them: questions, stage-1
 * answers, reviews ranking the answers in council order, the chairman's answer as the assistant
 * message, a street-cred table and usage on every call. Returns the ids the database gave.
 */
export async function createAnsweredConversation(
  db: Kysely<Database>,
  userId: string,
  values: { title: string; turns: AnsweredTurn[] },
): Promise<{ conversationId: string }> {
  const start = values.turns[0]?.at ?? new Date();
  const conversation: ExportedConversation = {
    id: randomUUID(),
    title: values.title,
    councilModels: null,
    chairmanModel: null,
    createdAt: start.toISOString(),
    updatedAt: (values.turns.at(-1)?.at ?? start).toISOString(),
    importedAt: null,
    messages: [],
    runs: [],
  };
  for (const turn of values.turns) {
    const at = (turn.at ?? start).toISOString();
    const questionId = randomUUID();
    conversation.messages.push({ id: questionId, role: 'user', content: turn.question, createdAt: at });
    conversation.messages.push({ id: randomUUID(), role: 'assistant', content: turn.final, createdAt: at });
    conversation.runs.push(runOf(turn, questionId, at));
  }
  const [conversationId] = await db.transaction().execute(async (trx) => {
    const ids = await insertImportedConversations(trx, userId, [conversation], null);
    await payForRuns(trx, userId, ids);
    return ids;
  });
  if (!conversationId) throw new Error('createAnsweredConversation: nothing stored');
  return { conversationId };
}

/** Runs made here were paid for: one spend-ledger row per call with usage, dated like the call. */
async function payForRuns(db: Kysely<Database>, userId: string, conversationIds: string[]): Promise<void> {
  const calls = await db
    .selectFrom('councilResponses as s')
    .innerJoin('councilRuns as r', 'r.id', 's.runId')
    .select(['s.runId', 's.stage', 's.model', 's.usage', 's.createdAt', 'r.provider'])
    .where('r.conversationId', 'in', conversationIds)
    .where('s.usage', 'is not', null)
    .execute();
  for (const call of calls) {
    const usage = call.usage as { promptTokens: number; completionTokens: number; cost: number | null };
    await db
      .insertInto('spendLedger')
      .values({
        userId,
        runId: call.runId,
        keySource: 'own',
        provider: call.provider,
        model: call.model,
        stage: call.stage,
        promptTokens: usage.promptTokens,
        completionTokens: usage.completionTokens,
        cost: usage.cost,
        createdAt: call.createdAt,
      })
      .execute();
  }
}

function runOf(turn: AnsweredTurn, userMessageId: string, at: string): ExportedRun {
  const models = Object.keys(turn.answers);
  const labels = models.map((_, i) => `Response ${String.fromCharCode(65 + i)}`);
  const usage = turn.usagePerCall
    ? { ...turn.usagePerCall, totalTokens: turn.usagePerCall.promptTokens + turn.usagePerCall.completionTokens }
    : null;
  const call = { error: null, usage, durationMs: 1000, attempt: 1, status: 'completed' as const };
  return {
    id: randomUUID(),
    userMessageId,
    status: 'completed',
    provider: 'openrouter',
    models,
    chairmanModel: 'test/chair',
    titleModel: null,
    mode: 'full',
    instructions: null,
    reasoningEffort: 'none',
    webSearch: false,
    labelToModel: Object.fromEntries(labels.map((l, i) => [l, models[i] ?? ''])),
    aggregate: models.map((model, i) => ({ model, place: i + 1, averageRank: i + 1, votes: 2, rankingsCount: 2 })),
    verdict: null,
    error: null,
    attempt: 1,
    createdAt: at,
    startedAt: at,
    finishedAt: at,
    responses: [
      ...models.map((model) => ({
        ...call,
        stage: 'stage1' as const,
        model,
        content: turn.answers[model] ?? '',
        parsedRanking: null,
        reviewDetails: null,
      })),
      ...models.map((model) => ({
        ...call,
        stage: 'stage2' as const,
        model,
        content: `FINAL RANKING:\n${labels.map((l, i) => `${i + 1}. ${l}`).join('\n')}`,
        parsedRanking: labels,
        reviewDetails: { shownOrder: labels, rankingStatus: 'ok' as const, repaired: false, selfRank: null },
      })),
      {
        ...call,
        stage: 'stage3' as const,
        model: 'test/chair',
        content: turn.final,
        parsedRanking: null,
        reviewDetails: null,
      },
    ],
  };
}
