import type { Conversation, Message, RunRecord } from '../council/council-types';

export interface TurnData {
  message: Message;
  /** The council run that answered this message (the latest, if it was run more than once). */
  run: RunRecord | null;
  /** A stored assistant reply without a run record (should not happen; shown as plain markdown). */
  answer: Message | null;
}

/**
 * Pairs each user message with what answered it. Messages are ordered by `position`; a run
 * belongs to the user message it names; an assistant message answers the user message before it.
 */
export function buildTurns(conversation: Conversation): TurnData[] {
  const runsByMessage = new Map<string, RunRecord>();
  for (const run of conversation.runs) {
    const known = runsByMessage.get(run.userMessageId);
    if (!known || Date.parse(run.createdAt) >= Date.parse(known.createdAt)) runsByMessage.set(run.userMessageId, run);
  }
  const turns: TurnData[] = [];
  const ordered = [...conversation.messages].sort((a, b) => a.position - b.position);
  for (const message of ordered) {
    if (message.role === 'user') {
      turns.push({ message, run: runsByMessage.get(message.id) ?? null, answer: null });
    } else {
      const last = turns.at(-1);
      if (last && !last.run && !last.answer) last.answer = message;
    }
  }
  return turns;
}
