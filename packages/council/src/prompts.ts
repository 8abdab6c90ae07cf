import type { AggregateRanking, Agreement, AnswerSource, CouncilVerdict } from './events.js';
import { stripThinking } from './thinking.js';
import type { ChatMessage } from './upstream/upstream.types.js';

/** One earlier exchange of the conversation: the user's question and the council's final answer. */
export interface ConversationTurn {
  question: string;
  answer: string;
}

/** A stage-1 answer under its anonymous label, e.g. `{ label: 'Response A', model: 'openai/gpt-5.1', … }`. */
export interface LabelledAnswer {
  label: string;
  model: string;
  content: string;
  /** The web pages the answer cites (web search), numbered [1], [2], … in the answer's own list. */
  sources?: AnswerSource[];
}

export interface ReviewText {
  reviewer: string;
  content: string;
}

/**
 * Stage 1: the conversation so far as alternating user/assistant messages, then the new question,
 * so every council model can answer follow-ups ("and in Python?") in context.
 */
export function buildStage1Messages(input: {
  question: string;
  /** The question's images this model is shown (data URLs), with `question` naming them. */
  images?: string[] | undefined;
  history: ConversationTurn[];
  /** Older turns left out to fit the context window; the first kept question says so. */
  omittedTurns?: number;
  /** The user's standing instructions (a saved council's), sent as the system message. */
  instructions?: string | null;
}): ChatMessage[] {
  const note = omittedNote(input.omittedTurns ?? 0);
  const messages = input.history.flatMap((turn): ChatMessage[] => [
    { role: 'user', content: turn.question },
    { role: 'assistant', content: turn.answer },
  ]);
  messages.push({ role: 'user', content: input.question, ...(input.images?.length && { images: input.images }) });
  const first = messages[0] as ChatMessage;
  if (note) messages[0] = { ...first, content: `${note}\n\n${first.content}` };
  const instructions = input.instructions?.trim();
  return instructions ? [{ role: 'system', content: instructions }, ...messages] : messages;
}

function omittedNote(omitted: number): string {
  if (omitted === 0) return '';
  return `(The ${omitted} oldest exchange${omitted === 1 ? ' of this conversation was' : 's of this conversation were'} left out to fit the context window.)`;
}

export function formatHistory(history: ConversationTurn[], omittedTurns = 0): string {
  const note = omittedNote(omittedTurns);
  if (history.length === 0) return note ? `${note}\n\n` : '';
  const turns = history
    .map((turn) => `<user>\n${turn.question}\n</user>\n<assistant>\n${turn.answer}\n</assistant>`)
    .join('\n');
  const intro = `Earlier in this conversation (context for the current question):${note ? `\n${note}` : ''}`;
  return `${intro}\n<conversation>\n${turns}\n</conversation>\n\n`;
}

/** What the chairman should know about the review stage beyond the texts themselves. */
export interface ReviewStageNotes {
  failed: string[];
  late: string[];
  /** Reviewers whose ranking could not be read (even after the follow-up). */
  unreadable: string[];
  agreement?: Agreement;
  verdict?: CouncilVerdict;
}

/**
 * Stage 3: the chairman sees every answer, every review, the peer-only table and how far the
 * reviewers agreed. With `hideModelNames` it sees labels only, so it cannot favour a brand.
 */
export function buildChairmanMessages(input: {
  question: string;
  history: ConversationTurn[];
  omittedTurns?: number;
  answers: LabelledAnswer[];
  reviews: ReviewText[];
  aggregate?: AggregateRanking[];
  notes?: ReviewStageNotes;
  hideModelNames?: boolean;
  /** The user's standing instructions: the chairman's system message carries them. */
  instructions?: string | null;
  /**
   * The question's attachments as text (`attachmentBlocks`): the chairman reads the text and PDF
   * files to check the answers against them; images are named, not sent (the answers describe them).
   */
  attachmentText?: string;
}): ChatMessage[] {
  const hide = input.hideModelNames === true;
  const labelOf = new Map(input.answers.map((a) => [a.model, a.label]));
  const nameOf = (model: string) => (hide ? (labelOf.get(model) ?? 'a council member') : model);
  const answers = input.answers
    .map((a) => {
      const model = hide ? '' : ` model="${a.model}"`;
      return `<answer${model} label="${a.label}">\n${stripThinking(a.content)}\n${formatSources(a.sources)}</answer>`;
    })
    .join('\n\n');
  const labelKey = hide
    ? ''
    : `The reviewers saw the answers only under their labels. Label key:\n${input.answers.map((a) => `- ${a.label} = ${a.model}`).join('\n')}\n\n`;
  const reviews =
    input.reviews.length > 0
      ? input.reviews
          .map(
            (r) =>
              `<review by="${hide ? `the author of ${nameOf(r.reviewer)}` : r.reviewer}">\n${stripThinking(r.content)}\n</review>`,
          )
          .join('\n\n')
      : '(No reviews are available.)';
  const table =
    input.aggregate && input.aggregate.length > 0
      ? `\n\nPeer ranking (each answer judged only by the other reviewers; place 1 is best, shared places are ties):\n${input.aggregate
          .map(
            (r) =>
              `- ${nameOf(r.model)}: place ${r.place ?? '?'}, average rank ${r.averageRank.toFixed(2)} (${r.votes ?? r.rankingsCount} votes)`,
          )
          .join('\n')}`
      : '';

  const role = `You are the chairman of a council of AI models. Each member answered the user's question independently, then every member reviewed the others' answers anonymously and ranked them. You write the single final answer the user will read.`;
  const instructions = input.instructions?.trim();
  const system = instructions
    ? `${role}\n\nThe user's standing instructions, which your final answer follows:\n${instructions}`
    : role;
  const user = `${formatHistory(input.history, input.omittedTurns)}The question:
<question>
${input.question}
</question>
${input.attachmentText ? `\n${input.attachmentText}\n` : ''}
Stage 1, the council's answers:
${answers}

${labelKey}Stage 2, the peer reviews:
${reviews}${table}${formatNotes(input.notes, nameOf)}

Now write the final answer to the question:
- Answer the user directly, in your own voice. Do not describe the council, the labels or the models unless the user asked about them.
- Build on what the answers agree on. Where they disagree, weigh the reviews' arguments, settle the point, and correct mistakes the reviewers caught.
- Combine the strongest parts of the answers rather than copying the top-ranked one; a popular answer can still be wrong, and a close or split ranking is weak evidence.
- Match the length and format to the question.${
    input.answers.some((a) => a.sources?.length)
      ? '\n- The answers searched the web; their sources are listed with them. Where you rely on a source, cite it inline as a Markdown link to its URL, e.g. [title](url). Cite only URLs listed there.'
      : ''
  }`;
  return [
    { role: 'system', content: system },
    { role: 'user', content: user },
  ];
}

const verdictWords: Record<CouncilVerdict['kind'], string> = {
  clear_winner: 'a clear winner',
  close: 'close',
  split: 'split, the reviewers do not agree on a winner',
  unranked: 'no peer ranking',
};

function formatNotes(notes: ReviewStageNotes | undefined, nameOf: (model: string) => string): string {
  if (!notes) return '';
  const lines: string[] = [];
  if (notes.failed.length > 0) lines.push(`- Failed (no answer or review): ${notes.failed.map(nameOf).join(', ')}`);
  if (notes.late.length > 0) lines.push(`- Too late, left out: ${notes.late.map(nameOf).join(', ')}`);
  if (notes.unreadable.length > 0) {
    lines.push(`- Reviews whose ranking could not be read (not counted): ${notes.unreadable.map(nameOf).join(', ')}`);
  }
  if (notes.verdict) {
    let sentence = notes.verdict.sentence;
    // The sentence names models; with names hidden the chairman reads labels there too.
    const named = new Set([...Object.keys(notes.verdict.firstPlaces), ...notes.verdict.models]);
    for (const model of [...named].sort((a, b) => b.length - a.length)) {
      sentence = sentence.split(model).join(nameOf(model));
    }
    lines.push(`- Verdict of the peer ranking: ${verdictWords[notes.verdict.kind]}. ${sentence}`);
  }
  const agreement = notes.agreement;
  if (agreement && agreement.kendallW !== null) {
    lines.push(`- Agreement between whole rankings (Kendall's W, 0 to 1): ${agreement.kendallW.toFixed(2)}.`);
  }
  return lines.length > 0 ? `\n\nAbout the review stage:\n${lines.join('\n')}` : '';
}

/** The conversation title, asked of a cheap model in parallel with stage 1. */
export function buildTitleMessages(input: { question: string }): ChatMessage[] {
  const content = `Write a short title of 3 to 5 words for a conversation that starts with the question below. Reply with the title only: no quotes, no trailing punctuation, no prefix such as "Title:".

<question>
${input.question}
</question>`;
  return [{ role: 'user', content }];
}

/** An answer's web sources, numbered as the answer cites them; nothing when it has none. */
function formatSources(sources: AnswerSource[] | undefined): string {
  if (!sources?.length) return '';
  return `Sources:\n${sources.map((source, i) => `[${i + 1}] ${source.title ?? source.url} — ${source.url}`).join('\n')}\n`;
}
