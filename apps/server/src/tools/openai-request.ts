import { z } from 'zod';

/** The model name that asks the user's default council. */
export const COUNCIL_MODEL_ID = 'council';
const MAX_MESSAGES = 200;
/** Generous per message; the council's own limits (question length, earlier turns) apply after. */
const MAX_MESSAGE_CHARS = 200_000;

const contentPart = z.looseObject({ type: z.string().max(50), text: z.string().max(MAX_MESSAGE_CHARS).optional() });

// Loose objects: clients send sampling parameters (temperature, max_tokens, user…) the council
// does not use; they are ignored rather than refused.
const chatRequestSchema = z.looseObject({
  model: z.string().max(200),
  messages: z
    .array(
      z.looseObject({
        role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
        content: z.union([z.string().max(MAX_MESSAGE_CHARS), z.array(contentPart).max(100), z.null()]).optional(),
      }),
    )
    .min(1)
    .max(MAX_MESSAGES),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
});

export interface CouncilRequest {
  model: string;
  /** The last user message. */
  question: string;
  /** The system (and developer) messages, joined: the run's standing instructions. */
  instructions: string | undefined;
  /** Earlier user/assistant pairs, in order. */
  history: { question: string; answer: string }[];
  stream: boolean;
  includeUsage: boolean;
}

/** A bad request in OpenAI's terms: the message and the parameter it is about. */
export class InvalidRequest extends Error {
  constructor(
    message: string,
    readonly param: string | null,
  ) {
    super(message);
  }
}

/**
 * Reads a chat-completions body into what the council is asked. System (and developer) messages
 * become the run's standing instructions (the system message of the answers and the chairman,
 * recorded with the run), replacing a saved council's (`council/<slug>`) for that call. Earlier
 * user and assistant messages become the conversation's history.
 */
export function parseChatRequest(body: unknown): CouncilRequest {
  const parsed = chatRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const param = issue && issue.path.length > 0 ? paramOf(issue.path) : null;
    throw new InvalidRequest(`${param ?? 'body'}: ${issue?.message ?? 'invalid request'}`, param);
  }
  const { model, messages } = parsed.data;
  const instructions: string[] = [];
  const turns: { role: 'user' | 'assistant'; text: string }[] = [];
  messages.forEach((message, index) => {
    const text = textOf(message.content, `messages[${index}].content`);
    if (message.role === 'system' || message.role === 'developer') instructions.push(text);
    else if (message.role === 'user' || message.role === 'assistant') turns.push({ role: message.role, text });
    else
      throw new InvalidRequest(
        'The council does not call tools: tool messages are not supported',
        `messages[${index}].role`,
      );
  });
  const last = turns.at(-1);
  if (!last || last.role !== 'user' || last.text.trim() === '') {
    throw new InvalidRequest('The last message must be a non-empty user message: the question', 'messages');
  }
  return {
    model,
    question: last.text,
    instructions: joinInstructions(instructions),
    history: pairTurns(turns.slice(0, -1)),
    stream: parsed.data.stream === true,
    includeUsage: parsed.data.stream_options?.include_usage === true,
  };
}

function joinInstructions(instructions: string[]): string | undefined {
  const text = instructions.map((s) => s.trim()).filter(Boolean);
  return text.length === 0 ? undefined : text.join('\n\n');
}

/** Each user message (consecutive ones joined) with the assistant reply after it; an unanswered one is dropped. */
function pairTurns(turns: { role: 'user' | 'assistant'; text: string }[]): { question: string; answer: string }[] {
  const pairs: { question: string; answer: string }[] = [];
  let asked: string[] = [];
  for (const turn of turns) {
    if (turn.role === 'user') asked.push(turn.text);
    else if (asked.length > 0 && turn.text.trim() !== '') {
      pairs.push({ question: asked.join('\n\n'), answer: turn.text });
      asked = [];
    }
  }
  return pairs;
}

function textOf(content: z.infer<typeof chatRequestSchema>['messages'][number]['content'], param: string): string {
  if (content === undefined || content === null) return '';
  if (typeof content === 'string') return content;
  return content
    .map((part) => {
      if (part.type !== 'text') throw new InvalidRequest(`Only text content is supported, not "${part.type}"`, param);
      return part.text ?? '';
    })
    .join('');
}

function paramOf(path: PropertyKey[]): string {
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i > 0 ? '.' : ''}${String(key)}`)).join('');
}
