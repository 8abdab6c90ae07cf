import type { ChatMessage } from '../upstream/upstream.types.js';
import { shownAnswers } from './fake-upstream.reviewers.js';

/** FNV-1a: a stable number per model name, so each fake model "thinks" differently but reproducibly. */
export function hashOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  const result = [...items];
  let state = seed || 1;
  for (let i = result.length - 1; i > 0; i--) {
    // xorshift32: tiny, deterministic, good enough to make reviewers disagree.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const j = (state >>> 0) % (i + 1);
    [result[i], result[j]] = [result[j] as T, result[i] as T];
  }
  return result;
}

function pick<T>(items: readonly T[], seed: number): T {
  return items[seed % items.length] as T;
}

function questionOf(messages: ChatMessage[]): string {
  const prompt = messages.map((m) => m.content).join('\n');
  const tagged = /<question>\s*([\s\S]*?)\s*<\/question>/.exec(prompt)?.[1];
  const lastUser = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  return (tagged ?? lastUser).trim();
}

function shorten(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

const strengths = [
  'is accurate and well organised',
  'covers the main trade-offs clearly',
  'gives a concrete, usable example',
  'is concise without skipping anything important',
];
const weaknesses = [
  'misses an important edge case',
  'is vaguer than it should be in the middle',
  'spends too long on background',
  'states one claim without support',
];
const angles = [
  'Start from the simplest approach that works and measure before optimising.',
  'The answer depends on the constraints, so it helps to name them first.',
  'A small worked example usually shows the idea faster than a definition.',
  'It is worth separating what is known for certain from what is a judgement call.',
];

/** A stage-2 review that critiques each label and ends with a parseable FINAL RANKING. */
export function reviewReply(model: string, prompt: string): string {
  const labels = shownAnswers(prompt).map((a) => a.label);
  const seed = hashOf(model);
  const critiques = labels.map(
    (label, i) => `**${label}** ${pick(strengths, seed + i)}, but ${pick(weaknesses, seed + 2 * i + 1)}.`,
  );
  const ranking = seededShuffle(labels, seed).map((label, i) => `${i + 1}. ${label}`);
  return `Review by ${model} (simulated by the fake upstream).\n\n${critiques.join('\n\n')}\n\nFINAL RANKING:\n${ranking.join('\n')}`;
}

/** A stage-1 style answer that names the model and shows how much history it received. */
export function answerReply(model: string, messages: ChatMessage[]): string {
  const earlierTurns = messages.filter((m) => m.role === 'assistant').length;
  const seed = hashOf(model);
  const context =
    earlierTurns > 0
      ? ` I can see ${earlierTurns} earlier exchange${earlierTurns === 1 ? '' : 's'} in this conversation.`
      : '';
  const question = questionOf(messages);
  // A question with code or TeX comes back whole, so the demo (and the browser tests) show how
  // highlighted code and rendered maths look in an answer.
  const rich = /```|\$/.test(question) ? [`Your question, rendered:\n\n${question}`] : [];
  return [
    `**Simulated answer from ${model}.** This text comes from the offline fake upstream, not from a real model.${context}`,
    `You asked: "${shorten(question, 120)}"`,
    `${pick(angles, seed)} ${pick(angles, seed + 1)} In a real council, each model would now give its own view, and the peer review would show where they disagree.`,
    ...rich,
  ].join('\n\n');
}

function chairmanReply(model: string, messages: ChatMessage[]): string {
  const prompt = messages.map((m) => m.content).join('\n');
  const leader = /Peer ranking[^\n]*\n- ([^:\n]+):/.exec(prompt)?.[1];
  const verdict = leader ? ` The reviewers ranked ${leader} highest, and this synthesis leans on it.` : '';
  return [
    `**Simulated chairman synthesis by ${model}.** This is demo output from the offline fake upstream.${verdict}`,
    `On "${shorten(questionOf(messages), 120)}": ${pick(angles, hashOf(model))} The council broadly agreed on the core of the answer; the reviews mostly differed on detail and emphasis.`,
  ].join('\n\n');
}

const titleStopWords = new Set(
  'a an and are about can could do does for from how i in is it me my of on should that the this to what when where which who why with would you your'.split(
    ' ',
  ),
);

function titleReply(messages: ChatMessage[]): string {
  const words = questionOf(messages)
    .split(/\s+/)
    .map((w) => w.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ''))
    .filter((w) => w.length > 0 && !titleStopWords.has(w.toLowerCase()))
    .slice(0, 4)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase());
  if (words.length === 0) return 'Offline Demo Conversation';
  // "What is 2+2?" leaves one word; a title of one bare word reads like a glitch.
  return words.length === 1 ? `About ${words[0]}` : words.join(' ');
}

/**
 * The reply a fake model gives when no text is scripted: recognises the council's review,
 * chairman and title prompts by their wording and answers each in kind.
 */
export function defaultReply(model: string, messages: ChatMessage[]): string {
  const prompt = messages.map((m) => m.content).join('\n');
  // The chairman prompt quotes the reviews (FINAL RANKING included), so it is recognised first.
  if (messages.some((m) => m.role === 'system' && /\bchairman\b/i.test(m.content))) {
    return chairmanReply(model, messages);
  }
  if (/FINAL RANKING/.test(prompt)) return reviewReply(model, prompt);
  if (/\b(short|conversation) title\b/i.test(prompt)) return titleReply(messages);
  return answerReply(model, messages);
}
