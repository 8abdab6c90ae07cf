import { aggregateBallots } from '@llm-council/council';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { DEFAULT_PROVIDER_ID, DEFAULT_TITLE, TITLE_MAX_LENGTH } from '../constants.js';
import type { ExportedConversation, ExportedRun } from './export-format.js';

/**
 * A conversation file of the original llm-council (`data/conversations/<id>.json`): the user's
 * questions and, per answer, the three stages as its backend returned them. It stored no label
 * map and no aggregate ("Response A" is simply the first stage-1 answer), so both are rebuilt
 * here the way the original assigned them, and the street-cred table is counted again with this
 * project's method (peer votes only).
 */
const text = z
  .string()
  .max(2_000_000)
  .refine((v) => !v.includes('\u0000'), 'cannot contain NUL characters');
const modelId = z.string().min(1).max(200);

const originalAssistantSchema = z.object({
  role: z.literal('assistant'),
  stage1: z
    .array(z.object({ model: modelId, response: text }))
    .min(1)
    .max(16),
  stage2: z
    .array(z.object({ model: modelId, ranking: text, parsed_ranking: z.array(z.string().max(50)).max(16).optional() }))
    .max(16)
    .default([]),
  stage3: z.object({ model: modelId, response: text }).nullable().optional(),
});

export const originalConversationSchema = z.object({
  id: z.string().max(100),
  created_at: z.string().max(64),
  title: z.string().max(1000).optional(),
  messages: z
    .array(
      z.discriminatedUnion('role', [z.object({ role: z.literal('user'), content: text }), originalAssistantSchema]),
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
  const parsed = Date.parse(hasZone ? original.created_at : `${original.created_at}Z`);
  const createdAt = new Date(Number.isNaN(parsed) ? Date.now() : parsed).toISOString();
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
