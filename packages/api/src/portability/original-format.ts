import { aggregateBallots } from '@llm-council/council';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { DEFAULT_PROVIDER_ID, DEFAULT_TITLE, TITLE_MAX_LENGTH } from '../constants.js';
import { storedLabel } from '../council/stored-shapes.js';
import { isStorableDate } from '../shared/bounded.js';
import { text } from '../shared/text.js';
import type { ExportedConversation, ExportedRun } from './export-format.js';

/**
 * A conversation file of the original llm-council (`data/conversations/<id>.json`): the user's
 * questions and, per answer, the three stages as its backend returned them. It stored no label
 * map and no aggregate ("Response A" is simply the first stage-1 answer), so both are rebuilt
 * here the way the original assigned them, and the street-cred table is counted again with this
 * project's method (peer votes only).
 */
const answer = text({ max: 2_000_000, label: 'Answer' });
const modelId = text({ min: 1, max: 200, label: 'Model id' });
const originalAssistantSchema = z.object({
  role: z.literal('assistant'),
  stage1: z
    .array(z.object({ model: modelId, response: answer }))
    .min(1)
    .max(16),
  stage2: z
    .array(z.object({ model: modelId, ranking: answer, parsed_ranking: z.array(storedLabel).max(16).optional() }))
    .max(16)
    .default([]),
  stage3: z.object({ model: modelId, response: answer }).nullable().optional(),
});

export const originalConversationSchema = z.object({
  id: text({ max: 100, label: 'Id' }),
  // Python's naive isoformat() of a UTC clock: no zone means UTC (see fromOriginal).
  created_at: text({ max: 64, label: 'created_at' }),
  title: text({ max: 1000, label: 'Title' }).optional(),
  messages: z
    .array(
      z.discriminatedUnion('role', [
        z.object({ role: z.literal('user'), content: text({ max: 2_000_000, label: 'Question' }) }),
        originalAssistantSchema,
      ]),
    )
    .max(10_000),
});
export type OriginalConversation = z.infer<typeof originalConversationSchema>;

/** True when the document looks like an original file (so its errors are reported against that shape). */
export function looksLikeOriginal(data: unknown): boolean {
  return typeof data === 'object' && data !== null && 'messages' in data && 'created_at' in data;
}

export function fromOriginal(original: OriginalConversation): ExportedConversation {
  // The original wrote Python's naive isoformat() of a UTC clock: no zone means UTC.
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(original.created_at);
  const parsed = new Date(hasZone ? original.created_at : `${original.created_at}Z`);
  // Unreadable stays "now", as before; a readable date PostgreSQL cannot store is refused.
  if (!Number.isNaN(parsed.getTime()) && !isStorableDate(parsed)) {
    throw new Error('created_at: must be a date from the year 1 to 9999');
  }
  const createdAt = (Number.isNaN(parsed.getTime()) ? new Date() : parsed).toISOString();
  const messages: ExportedConversation['messages'] = [];
  const runs: ExportedRun[] = [];
  let lastQuestionId: string | null = null;
  for (const message of original.messages) {
    const id = randomUUID();
    if (message.role === 'user') {
      messages.push({ id, role: 'user', content: message.content, createdAt });
      lastQuestionId = id;
      continue;
    }
    if (!lastQuestionId) throw new Error('an assistant message comes before any user message');
    const run = runFromOriginal(message, lastQuestionId, createdAt);
    runs.push(run);
    if (message.stage3) messages.push({ id, role: 'assistant', content: message.stage3.response, createdAt });
    lastQuestionId = null;
  }
  const title = (original.title ?? '').trim().slice(0, TITLE_MAX_LENGTH) || DEFAULT_TITLE;
  return {
    id: randomUUID(),
    title,
    councilModels: null,
    chairmanModel: null,
    createdAt,
    updatedAt: createdAt,
    importedAt: null,
    messages,
    runs,
  };
}

function runFromOriginal(
  message: z.infer<typeof originalAssistantSchema>,
  userMessageId: string,
  createdAt: string,
): ExportedRun {
  const models = message.stage1.map((a) => a.model);
  // The original labelled answers in stage-1 order, the same order for every reviewer.
  const labels = models.map((_, i) => `Response ${String.fromCharCode(65 + i)}`);
  const labelToModel = Object.fromEntries(labels.map((label, i) => [label, models[i] ?? '']));
  const ballots = message.stage2.map((review) => ({
    reviewer: review.model,
    ranking: dedupe((review.parsed_ranking ?? []).filter((label) => label in labelToModel)),
    shown: labels,
  }));
  const aggregate = aggregateBallots(ballots, labelToModel);
  const chairman = message.stage3 ?? null;
  const none = { parsedRanking: null, reviewDetails: null, error: null, usage: null, durationMs: null, attempt: 1 };
  return {
    id: randomUUID(),
    userMessageId,
    status: chairman ? 'completed' : 'failed',
    provider: DEFAULT_PROVIDER_ID,
    models,
    chairmanModel: chairman?.model ?? models[0] ?? 'unknown',
    titleModel: null,
    mode: 'full',
    instructions: null,
    reasoningEffort: 'none',
    webSearch: false,
    labelToModel,
    aggregate,
    verdict: null,
    error: chairman ? null : { code: 'IMPORTED_WITHOUT_ANSWER', message: 'The imported file has no final answer.' },
    attempt: 1,
    createdAt,
    startedAt: createdAt,
    finishedAt: createdAt,
    responses: [
      ...message.stage1.map((a) => ({
        ...none,
        stage: 'stage1' as const,
        model: a.model,
        status: 'completed' as const,
        content: a.response,
      })),
      ...message.stage2.map((review, i) => ({
        ...none,
        stage: 'stage2' as const,
        model: review.model,
        status: 'completed' as const,
        content: review.ranking,
        parsedRanking: ballots[i]?.ranking ?? [],
        reviewDetails: { shownOrder: labels, rankingStatus: null, repaired: false, selfRank: null },
      })),
      ...(chairman
        ? [
            {
              ...none,
              stage: 'stage3' as const,
              model: chairman.model,
              status: 'completed' as const,
              content: chairman.response,
            },
          ]
        : []),
    ],
  };
}

function dedupe(labels: string[]): string[] {
  return [...new Set(labels)];
}
