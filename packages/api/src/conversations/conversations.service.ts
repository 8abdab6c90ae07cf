import type { Database } from '@llm-council/db';
import type { Transaction } from 'kysely';
import { DEFAULT_TITLE, type ConversationSource } from '../constants.js';
import type { SignedInUser } from '../context.js';
import { appendMessage, insertConversation, type ConversationRow } from './conversations.repository.js';

/** What other features may do to conversations and messages (the council records its turns through these). */
export {
  appendMessage,
  deleteConversation,
  findConversation,
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
