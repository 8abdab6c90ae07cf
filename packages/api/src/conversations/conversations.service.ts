import type { Database } from '@llm-council/db';
import { DEFAULT_TITLE, type ConversationSource } from '../constants.js';
import type { SignedInUser } from '../context.js';
import type { Kysely, Transaction } from 'kysely';
import { notFound } from '../errors.js';
import {
  appendMessage,
  findQuestion,
  insertConversation,
  listMessages,
  setShownQuestion,
  type ConversationRow,
} from './conversations.repository.js';

/** What other features may do to conversations and messages (the council records its turns through these). */
export {
  appendMessage,
  deleteConversation,
  findConversation,
  findQuestion,
  linkMessageToRun,
  listMessages,
  setTitleIfPlaceholder,
} from './conversations.repository.js';

/** Where a conversation comes from when the client does not say: a token is `api`, a password session `app`. */
export function sourceOf(session: SignedInUser, requested?: ConversationSource): ConversationSource {
  return requested ?? (session.sessionId === null ? 'api' : 'app');
}

/**
 * Creates a conversation inside the caller's transaction, with the earlier turns another tool
 * brought stored as questions and answers (no run): the first run reads them as the
 * conversation so far.
 */
export async function insertConversationWithHistory(
  trx: Transaction<Database>,
  values: {
    userId: string;
    source: ConversationSource;
    councilModels?: string[] | null;
    chairmanModel?: string | null;
    history?: { question: string; answer: string }[] | undefined;
    title?: string | undefined;
  },
): Promise<ConversationRow> {
  const row = await insertConversation(trx, {
    userId: values.userId,
    title: values.title ?? DEFAULT_TITLE,
    councilModels: values.councilModels ?? null,
    chairmanModel: values.chairmanModel ?? null,
    source: values.source,
  });
  // No lock needed for the positions: nobody else knows this conversation's id yet.
  for (const turn of values.history ?? []) {
    await appendMessage(trx, { conversationId: row.id, role: 'user', content: turn.question });
    await appendMessage(trx, { conversationId: row.id, role: 'assistant', content: turn.answer });
  }
  return row;
}

/** What the branch functions read of a stored message. */
interface TreeMessage {
  id: string;
  role: 'user' | 'assistant';
  position: number;
  runId: string | null;
  parentId: string | null;
}

/**
 * The last question of the branch shown: the one the owner picked, or else the newest question
 * (always a leaf: nothing was asked after it). Null for a conversation without questions.
 */
export function shownLeaf(messages: readonly TreeMessage[], shownQuestionId: string | null): string | null {
  const questions = messages.filter((m) => m.role === 'user');
  if (shownQuestionId && questions.some((q) => q.id === shownQuestionId)) return shownQuestionId;
  return questions.reduce<TreeMessage | null>((a, q) => (!a || q.position > a.position ? q : a), null)?.id ?? null;
}

/**
 * The branch that ends at `leafId`: its questions from the first, each with its answers (the
 * final answer of its run, or a brought answer right after it), in stored order. Empty for null.
 * This, and only this, is the history a run on the branch sends to the models.
 */
export function branchPath<M extends TreeMessage>(messages: readonly M[], leafId: string | null): M[] {
  const byId = new Map(messages.map((m) => [m.id, m]));
  const onPath = new Set<string>();
  for (let at = leafId ? byId.get(leafId) : undefined; at && !onPath.has(at.id);) {
    onPath.add(at.id);
    at = at.parentId ? byId.get(at.parentId) : undefined;
  }
  const ordered = [...messages].sort((a, b) => a.position - b.position);
  const runs = new Set(ordered.filter((m) => m.role === 'user' && onPath.has(m.id) && m.runId).map((m) => m.runId));
  return ordered.filter((m, index) => {
    if (m.role === 'user') return onPath.has(m.id);
    if (m.runId) return runs.has(m.runId);
    const before = ordered[index - 1];
    return before?.role === 'user' && before.runId === null && onPath.has(before.id);
  });
}

/** Every version of a question (the questions with its parent), oldest first, itself included. */
export function versionsOf(messages: readonly TreeMessage[], question: TreeMessage): string[] {
  return messages
    .filter((m) => m.role === 'user' && m.parentId === question.parentId)
    .sort((a, b) => a.position - b.position)
    .map((m) => m.id);
}

/**
 * Where showing a version of a question lands: down its branch, the newest follow-up at each
 * step, to the last question asked on it.
 */
export function newestLeafUnder(messages: readonly TreeMessage[], questionId: string): string {
  let leaf = questionId;
  for (;;) {
    const children = messages.filter((m) => m.role === 'user' && m.parentId === leaf);
    const newest = children.reduce<TreeMessage | null>((a, q) => (!a || q.position > a.position ? q : a), null);
    if (!newest) return leaf;
    leaf = newest.id;
  }
}

/**
 * Shows the branch through one version of a question (down to the newest question asked on it).
 * Another user's message, or an answer, is NOT_FOUND. Returns the conversation's id.
 */
export async function showVersion(db: Kysely<Database>, userId: string, messageId: string): Promise<string> {
  const question = await findQuestion(db, userId, messageId);
  if (!question) throw notFound('Question');
  const messages = await listMessages(db, question.conversationId);
  await setShownQuestion(db, question.conversationId, newestLeafUnder(messages, question.id));
  return question.conversationId;
}
