import type { ChatMessage } from '../upstream/upstream.types.js';
import type { FakeReviewer } from './fake-upstream.types.js';
import { hashOf } from './fake-upstream.replies.js';
import { seededRandom } from '../seeded-random.js';

/** What the fake remembers about each answer it wrote, so reviewers can judge by hidden quality. */
export interface AnswerRecord {
  model: string;
  quality: number;
}

export interface ScriptedReply {
  text: string;
  finishReason: 'stop' | 'length';
}

const blockPattern = /<<<BEGIN (Response [A-Z]+) (\w+)>>>\n([\s\S]*?)\n<<<END \1 \2>>>/g;
const repairMarker = 'Your ranking could not be read';

/** The answers of a review prompt in the order they were shown, with their content. */
export function shownAnswers(prompt: string): { label: string; content: string }[] {
  return Array.from(prompt.matchAll(blockPattern), (m) => ({ label: m[1] ?? '', content: (m[3] ?? '').trim() }));
}

function rankByQuality(
  reviewer: string,
  answers: { label: string; content: string }[],
  records: ReadonlyMap<string, AnswerRecord>,
): string[] {
  // Ties in quality are broken by taste: a hash of reviewer and answer, so reviewers disagree,
  // yet a reviewer judges the same answers the same way whatever else runs concurrently.
  return answers
    .map((a) => ({
      label: a.label,
      quality: records.get(a.content)?.quality ?? 0.5,
      key: hashOf(`${reviewer}\n${a.content}`),
    }))
    .sort((a, b) => b.quality - a.quality || a.key - b.key)
    .map((a) => a.label);
}

function moveToFront(ranking: string[], label: string | undefined): string[] {
  return label === undefined ? ranking : [label, ...ranking.filter((l) => l !== label)];
}

/**
 * A scripted review of the prompt in `messages`: an honest ranking by quality, bent by the
 * reviewer's bias, written in the requested format unless this reply is the sloppy or cut one.
 * The one-line repair request is always answered in format, as compliant models do.
 */
export function scriptedReview(
  model: string,
  messages: ChatMessage[],
  reviewer: FakeReviewer,
  records: ReadonlyMap<string, AnswerRecord>,
  seed: number,
): ScriptedReply {
  const isRepair = messages.at(-1)?.content.includes(repairMarker) ?? false;
  // Chance is drawn from the request itself (seed, reviewer, prompt), not from a shared stream, so
  // a reviewer decides the same way however many councils run at once.
  const random = seededRandom(hashOf(`${seed}\n${model}\n${messages.map((m) => m.content).join('\n')}`));
  const answers = shownAnswers(messages[0]?.content ?? '');
  let ranking = rankByQuality(model, answers, records);
  if (reviewer.bias === 'primacy' && random() < (reviewer.primacyRate ?? 0.6)) {
    ranking = moveToFront(ranking, answers[0]?.label);
  }
  if (reviewer.favourite !== undefined) {
    ranking = moveToFront(ranking, answers.find((a) => records.get(a.content)?.model === reviewer.favourite)?.label);
  }
  if (reviewer.bias === 'self-loving') {
    ranking = moveToFront(ranking, answers.find((a) => records.get(a.content)?.model === model)?.label);
  }
  if (isRepair) return { text: `FINAL RANKING: ${ranking.join(' > ')}`, finishReason: 'stop' };

  const critique = answers.map((a) => `${a.label} makes a fair point or two.`).join('\n');
  if (reviewer.truncated)
    return { text: `${critique}\n\nFINAL RANKING:\n1. ${ranking[0] ?? ''}`, finishReason: 'length' };
  if (random() < (reviewer.sloppyRate ?? 0)) {
    // Off-format: the ranking is only in prose, which the parser must not guess from.
    return { text: `${critique}\n\nOverall I would put ${ranking.join(' ahead of ')}.`, finishReason: 'stop' };
  }
  const list = ranking.map((label, i) => `${i + 1}. ${label}`).join('\n');
  return { text: `${critique}\n\nFINAL RANKING:\n${list}`, finishReason: 'stop' };
}
