import { verdictFromReviews, type CouncilVerdict } from '@llm-council/council';
import { sharedPlaces, verdictHeadlines } from '../constants.js';
import type { ExportedConversation, ExportedRun } from './export-format.js';

/**
 * A conversation as a Markdown document a person reads: each question, then the council's final
 * answer first (what they came for), the street-cred table, every stage-1 answer and every review.
 * Model output is Markdown already and is copied as written.
 */
export function conversationToMarkdown(conversation: ExportedConversation): string {
  const out: string[] = [`# ${conversation.title}`, ''];
  out.push(`_Exported from LLM Council. Started ${conversation.createdAt}._`, '');
  const { path, versionsOf } = shownBranch(conversation);
  if (path.some((q) => versionsOf(q).length > 1)) {
    out.push('_This is the version of the conversation shown last; the JSON export keeps every version._', '');
  }
  const runOf = new Map(conversation.runs.map((r) => [r.userMessageId, r]));
  for (const question of path) {
    const versions = versionsOf(question);
    const label = versions.length > 1 ? ` (version ${versions.indexOf(question.id) + 1} of ${versions.length})` : '';
    out.push('---', '', `## Question${label}`, '', question.content, '');
    const run = runOf.get(question.id);
    if (run) out.push(...runToMarkdown(run));
  }
  return `${out.join('\n').trimEnd()}\n`;
}

type ExportedMessage = ExportedConversation['messages'][number];

/**
 * The questions of the branch shown, first to last, and each question's versions (the questions
 * that follow the same one). A question without `parentId` (a file from before branches) follows
 * the question before it.
 */
function shownBranch(conversation: ExportedConversation) {
  const questions = conversation.messages.filter((m) => m.role === 'user');
  const parentOf = new Map<string, string | null>();
  questions.forEach((q, i) =>
    parentOf.set(q.id, q.parentId === undefined ? (questions[i - 1]?.id ?? null) : q.parentId),
  );
  const leafId = conversation.shownQuestionId ?? questions.at(-1)?.id ?? null;
  const onPath = new Set<string>();
  for (let at = leafId; at && !onPath.has(at); at = parentOf.get(at) ?? null) onPath.add(at);
  const path = questions.filter((q) => onPath.has(q.id));
  const versionsOf = (q: ExportedMessage) =>
    questions.filter((other) => parentOf.get(other.id) === parentOf.get(q.id)).map((other) => other.id);
  return { path, versionsOf };
}

function runToMarkdown(run: ExportedRun): string[] {
  const out: string[] = [];
  const final = run.responses.find((r) => r.stage === 'stage3');
  if (run.mode === 'full') {
    out.push(`## Final answer (chairman: ${run.chairmanModel})`, '');
    out.push(final?.content ?? `_No final answer (run ${run.status})._`, '');
    if (final) out.push(...cutShort(final));
  } else {
    // No chairman: what the mode produced is the answers (and, ranked, the peer table below).
    out.push(
      run.mode === 'ranked' ? '## Answers and peer ranking — no synthesis' : '## Answers only — no review or synthesis',
      '',
    );
  }
  if (run.instructions) {
    out.push('_Instructions:_', '', ...run.instructions.split('\n').map((line) => `> ${line}`), '');
  }

  out.push(...rankingToMarkdown(run));

  const answers = run.responses.filter((r) => r.stage === 'stage1');
  if (answers.length > 0) out.push('### Stage 1: answers', '');
  for (const answer of answers) {
    out.push(`#### ${answer.model}`, '', answer.content ?? `_Failed: ${answer.error?.message ?? 'no answer'}_`, '');
    out.push(...cutShort(answer));
    if (answer.sources?.length) {
      out.push(
        'Sources:',
        '',
        ...answer.sources.map((s, i) => `${i + 1}. ${markdownLink(s.title ?? s.url, s.url)}`),
        '',
      );
    }
  }
  const reviews = run.responses.filter((r) => r.stage === 'stage2');
  if (reviews.length > 0) out.push('### Stage 2: peer reviews', '');
  for (const review of reviews) {
    out.push(`#### ${review.model}`, '', review.content ?? `_Failed: ${review.error?.message ?? 'no review'}_`, '');
    const ranking = (review.parsedRanking ?? []).map((label) => run.labelToModel?.[label] ?? label);
    if (ranking.length > 0) out.push(`Ranking: ${ranking.map((m, i) => `${i + 1}. ${m}`).join(', ')}`, '');
  }
  const usage = totalUsage(run);
  if (usage.tokens > 0) {
    out.push(`_Usage: ${usage.tokens} tokens${usage.cost === null ? '' : `, $${usage.cost.toFixed(4)}`}._`, '');
  }
  return out;
}

/** The verdict in plain words, then the peer table with shared places for ties. */
function rankingToMarkdown(run: ExportedRun): string[] {
  // Validated when read (export.repository): a stored table of another shape is not shown at all.
  const rows = run.aggregate ?? [];
  const verdict = verdictOfRun(run);
  if (rows.length === 0 && verdict?.kind !== 'unranked') return [];
  const out = ['### Street cred (peer rankings)', ''];
  if (verdict) out.push(`**${verdictHeadlines[verdict.kind]}.** ${verdict.sentence}`, '');
  if (rows.length === 0) return out;
  const places = sharedPlaces(rows);
  const isTied = (place: number) => places.filter((p) => p === place).length > 1;
  out.push('| place | model | average rank | votes |', '| - | - | - | - |');
  rows.forEach((row, i) => {
    const place = places[i] ?? i + 1;
    out.push(
      `| ${place}${isTied(place) ? ' (tie)' : ''} | ${row.model} | ${row.averageRank.toFixed(2)} | ${row.votes ?? '–'} |`,
    );
  });
  out.push('');
  if (places.some(isTied)) out.push('_Equal scores share a place; there is no tie-break._', '');
  return out;
}

/** The stored verdict, or (runs stored before it) the one the engine derives from the reviews. */
function verdictOfRun(run: ExportedRun): CouncilVerdict | null {
  if (run.verdict?.verdict) return run.verdict.verdict;
  if (run.aggregate === null || run.labelToModel === null) return null;
  const reviews = run.responses
    .filter((r) => r.stage === 'stage2')
    .map((r) => ({ reviewer: r.model, parsedRanking: r.parsedRanking ?? [], shownOrder: r.reviewDetails?.shownOrder }));
  return verdictFromReviews(reviews, run.labelToModel);
}

function totalUsage(run: ExportedRun): { tokens: number; cost: number | null } {
  let tokens = 0;
  let cost: number | null = null;
  for (const r of run.responses) {
    if (!r.usage) continue;
    tokens += r.usage.totalTokens;
    if (r.usage.cost !== null) cost = (cost ?? 0) + r.usage.cost;
  }
  return { tokens, cost };
}

/** A link whose text and URL cannot end the Markdown link early. */
function markdownLink(label: string, url: string): string {
  const text = label.replace(/[[\]\\]/g, '\\$&');
  return `[${text}](${url.replace(/[()<> ]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)})`;
}

/** A failed call that still has text (a stopped run keeps what streamed) says it was cut short. */
function cutShort(response: ExportedRun['responses'][number]): string[] {
  if (response.status !== 'failed' || !response.content) return [];
  return [`_Cut short: ${response.error?.message ?? 'it did not finish'}._`, ''];
}
