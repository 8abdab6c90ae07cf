import { z } from 'zod';
import type { ConsultResult } from './consult.js';

// The tools' structured output (MCP `outputSchema`): snake_case like their inputs.

const usage = z.object({
  prompt_tokens: z.number(),
  completion_tokens: z.number(),
  total_tokens: z.number(),
  cost: z.number().nullable(),
});

export const consultOutput = {
  conversation_id: z.string(),
  run_id: z.string(),
  status: z.enum(['completed', 'failed', 'cancelled', 'interrupted']),
  mode: z
    .enum(['full', 'ranked', 'answers'])
    .describe('How much council ran: full (answers, review, synthesis), ranked (no chairman), answers (no review).'),
  answer: z
    .string()
    .nullable()
    .describe(
      'The answer the run stands on: the chairman’s synthesis (mode full), the answer the council ranked first (ranked), or the first answer (answers).',
    ),
  answer_model: z.string().nullable().describe('The model that wrote `answer`.'),
  answer_basis: z
    .enum(['synthesis', 'top_ranked', 'first_answer'])
    .nullable()
    .describe('What `answer` is: the synthesis, the top-ranked answer (no synthesis), or the first answer given.'),
  chairman_model: z.string().nullable().describe('The chairman; null in modes without one.'),
  ranking: z
    .array(
      z.object({
        place: z.number().nullable(),
        model: z.string(),
        score: z.number().nullable().describe('Peer-only Borda score, 0 (always last) to 1 (always first).'),
        average_rank: z.number(),
        votes: z.number().nullable(),
      }),
    )
    .describe('The street-cred table: how the council ranked each answer, best first.'),
  verdict: z
    .object({
      kind: z.enum(['clear_winner', 'close', 'split', 'unranked']),
      models: z
        .array(z.string())
        .describe('The clear winner, the leader of a split, or every model within the margin.'),
      sentence: z.string().describe('The evidence in one sentence, e.g. "x ranked first by 3 of 3 peers."'),
    })
    .nullable()
    .describe('The verdict in plain words: clear winner, close, split, or unranked (a council of two).'),
  agreement: z
    .object({ kendall_w: z.number().nullable(), p_value: z.number().nullable() })
    .nullable()
    .describe("How much the reviewers agreed (Kendall's W and its p-value), for those who want the figures."),
  error: z.object({ stage: z.string(), code: z.string(), message: z.string() }).nullable(),
  usage,
  answers: z
    .array(z.object({ model: z.string(), answer: z.string().nullable(), error: z.string().nullable() }))
    .optional(),
  reviews: z.array(z.object({ reviewer: z.string(), review: z.string(), ranking: z.array(z.string()) })).optional(),
};
type ConsultOutput = z.infer<z.ZodObject<typeof consultOutput>>;

export const searchOutput = {
  results: z.array(z.object({ id: z.string(), title: z.string(), snippet: z.string() })),
};

export const listOutput = {
  conversations: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      source: z.string(),
      message_count: z.number(),
      updated_at: z.string(),
    }),
  ),
  next_cursor: z.string().nullable(),
};

export function toConsultOutput(result: ConsultResult, includeDetails: boolean): ConsultOutput {
  return {
    conversation_id: result.conversationId,
    run_id: result.runId,
    status: result.status,
    mode: result.mode,
    answer: result.answer,
    answer_model: result.answerModel,
    answer_basis: result.answerBasis,
    chairman_model: result.chairmanModel,
    ranking: result.ranking.map((row) => ({
      place: row.place ?? null,
      model: row.model,
      score: row.score ?? null,
      average_rank: row.averageRank,
      votes: row.votes ?? null,
    })),
    verdict: result.verdict
      ? { kind: result.verdict.kind, models: result.verdict.models, sentence: result.verdict.sentence }
      : null,
    agreement: result.agreement ? { kendall_w: result.agreement.kendallW, p_value: result.agreement.pValue } : null,
    error: result.error,
    usage: {
      prompt_tokens: result.usage.promptTokens,
      completion_tokens: result.usage.completionTokens,
      total_tokens: result.usage.totalTokens,
      cost: result.usage.cost,
    },
    ...(includeDetails
      ? {
          answers: result.answers.map((a) => ({ model: a.model, answer: a.content, error: a.error })),
          reviews: result.reviews.map((r) => ({ reviewer: r.reviewer, review: r.content, ranking: r.ranking })),
        }
      : {}),
  };
}

/** The same result as Markdown, for clients that show only text. */
export function toConsultText(output: ConsultOutput): string {
  const parts: string[] = [];
  if (output.status !== 'completed') {
    parts.push(
      `The council run ${output.status}${output.error ? ` in ${output.error.stage}: ${output.error.message}` : '.'}`,
    );
  }
  if (output.answer !== null) parts.push(`${answerHeading(output)}\n\n${output.answer}`);
  if (output.ranking.length > 0) {
    const rows = output.ranking.map(
      (r) =>
        `| ${r.place ?? '–'} | ${r.model} | ${r.score === null ? '–' : r.score.toFixed(2)} | ${r.average_rank.toFixed(2)} |`,
    );
    const verdict = output.verdict
      ? `\n\n**Verdict:** ${verdictLabel[output.verdict.kind]}. ${output.verdict.sentence}`
      : '';
    parts.push(
      `## Council ranking\n\n| place | model | score | average rank |\n| --- | --- | --- | --- |\n${rows.join('\n')}${verdict}`,
    );
  }
  for (const answer of output.answers ?? [])
    parts.push(`## ${answer.model}\n\n${answer.answer ?? `(no answer: ${answer.error ?? 'unknown'})`}`);
  for (const review of output.reviews ?? []) parts.push(`## Review by ${review.reviewer}\n\n${review.review}`);
  parts.push(`Conversation ${output.conversation_id} · ${output.usage.total_tokens} tokens`);
  return parts.join('\n\n');
}

const verdictLabel: Record<NonNullable<ConsultOutput['verdict']>['kind'], string> = {
  clear_winner: 'Clear winner',
  close: 'Close',
  split: 'Split',
  unranked: 'No peer ranking',
};

/** Says what the answer is, so a top-ranked answer never passes for a synthesis. */
function answerHeading(output: ConsultOutput): string {
  const by = output.answer_model ?? 'unknown';
  if (output.answer_basis === 'synthesis') {
    const standIn = output.chairman_model !== null && output.chairman_model !== by;
    return standIn
      ? `## Final answer (${by}, standing in for the chairman ${output.chairman_model})`
      : `## Final answer (${by})`;
  }
  if (output.answer_basis === 'top_ranked') {
    return `## Top-ranked answer (${by})\n\nRanked mode: answers and peer review, no synthesis. This is the answer the council ranked first.`;
  }
  return output.mode === 'answers'
    ? `## Answer (${by})\n\nAnswers only: no peer review or synthesis${output.answers === undefined ? '; include_details shows every answer' : ''}.`
    : `## First answer (${by})\n\nNo ranking came in: this is the first answer given, not a synthesis.`;
}
