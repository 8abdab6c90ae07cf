import type { Database } from '@llm-council/db';
import type { Kysely } from 'kysely';
import type { ZodError } from 'zod';
import { appError } from '../errors.js';
import { isUniqueViolation } from '../shared/db-errors.js';
import { EXPORT_FORMAT, exportDocumentSchema, type ExportedConversation } from './export-format.js';
import { insertImportedConversations } from './import.repository.js';
import { fromOriginal, looksLikeOriginal, originalConversationSchema } from './original-format.js';

/**
 * Imports one document — this project's export (any number of conversations) or one original
 * llm-council conversation file — for `userId`, in one transaction: either every conversation
 * is stored or none is. A document this cannot read is refused naming the first problems found.
 */
export async function importDocument(
  db: Kysely<Database>,
  userId: string,
  data: unknown,
  limits: { maxBytes: number; now: Date },
): Promise<{ conversationIds: string[] }> {
  const bytes = Buffer.byteLength(JSON.stringify(data) ?? '');
  if (bytes > limits.maxBytes) {
    throw appError(
      'PAYLOAD_TOO_LARGE',
      'PAYLOAD_TOO_LARGE',
      `An import is at most ${formatMb(limits.maxBytes)} MB; this one is ${formatMb(bytes)} MB`,
    );
  }
  const conversations = readConversations(data);
  try {
    const ids = await db
      .transaction()
      .execute((trx) => insertImportedConversations(trx, userId, conversations, limits.now));
    return { conversationIds: ids };
  } catch (error: unknown) {
    // Every id is new, so the only unique key a file can break is one answer per model and stage.
    if (isUniqueViolation(error)) {
      throw refuse('Not a valid export: a run has two responses of one model in the same stage');
    }
    throw error;
  }
}

function readConversations(data: unknown): ExportedConversation[] {
  if (looksLikeOriginal(data)) {
    const parsed = originalConversationSchema.safeParse(data);
    if (!parsed.success) throw invalid('llm-council conversation file', parsed.error);
    try {
      return [fromOriginal(parsed.data)];
    } catch (error: unknown) {
      throw refuse(`Not a valid llm-council conversation file: ${(error as Error).message}`);
    }
  }
  if (typeof data !== 'object' || data === null || (data as { format?: unknown }).format !== EXPORT_FORMAT) {
    throw refuse(
      `Not a file this app can import: expected an export of this app ("format": "${EXPORT_FORMAT}") or an llm-council conversation file (id, created_at, title, messages)`,
    );
  }
  const parsed = exportDocumentSchema.safeParse(data);
  if (!parsed.success) throw invalid(`${EXPORT_FORMAT} document`, parsed.error);
  for (const [i, c] of parsed.data.conversations.entries()) {
    const questions = new Set(c.messages.filter((m) => m.role === 'user').map((m) => m.id));
    const orphan = c.runs.findIndex((r) => !questions.has(r.userMessageId));
    if (orphan >= 0) {
      throw refuse(
        `Not a valid export: conversations.${i}.runs.${orphan}.userMessageId names no question of that conversation`,
      );
    }
  }
  return parsed.data.conversations;
}

function invalid(what: string, error: ZodError) {
  const problems = error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(document)'}: ${issue.message}`)
    .join('; ');
  return refuse(`Not a valid ${what}: ${problems}`);
}

function refuse(message: string) {
  return appError('BAD_REQUEST', 'IMPORT_INVALID', message);
}

function formatMb(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}
