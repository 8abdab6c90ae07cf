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
  // `data` passed jsonDocument's depth bound (the input schema), so this cannot overflow the stack.
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
    const problem = findReferenceProblem(c);
    if (problem) throw refuse(`Not a valid export: conversations.${i}.${problem}`);
  }
  return parsed.data.conversations;
}

/**
 * What the database would refuse about a conversation's references, found before anything is
 * written: ids used twice, a run of no question, one model answering a stage twice.
 */
function findReferenceProblem(c: ExportedConversation): string | null {
  const seen = new Set<string>();
  for (const [i, m] of c.messages.entries()) {
    if (seen.has(m.id)) return `messages.${i}.id is used twice`;
    seen.add(m.id);
  }
  const questions = new Set(c.messages.filter((m) => m.role === 'user').map((m) => m.id));
  for (const [i, r] of c.runs.entries()) {
    if (seen.has(r.id)) return `runs.${i}.id is used twice`;
    seen.add(r.id);
    if (!questions.has(r.userMessageId)) return `runs.${i}.userMessageId names no question of that conversation`;
    const answers = new Set<string>();
    for (const [j, s] of r.responses.entries()) {
      const key = `${s.stage} ${s.model}`;
      if (answers.has(key)) return `runs.${i}.responses.${j}: ${s.model} answers ${s.stage} twice`;
      answers.add(key);
    }
  }
  return null;
}

function invalid(what: string, error: ZodError) {
  const problems = error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.map(printable).join('.') || '(document)'}: ${innermostMessage(issue)}`)
    .join('; ');
  return refuse(`Not a valid ${what}: ${problems}`);
}

/** A bad record key is reported by what is wrong with it, not as "Invalid key in record". */
function innermostMessage(issue: ZodError['issues'][number]): string {
  return issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message;
}

/** A key from the file as the message shows it: control characters (NUL) escaped, never echoed raw. */
function printable(key: PropertyKey): string {
  const text = String(key);
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  return /[\u0000-\u001f\u007f-\u009f]/.test(text) ? JSON.stringify(text).slice(1, -1) : text;
}

function refuse(message: string) {
  return appError('BAD_REQUEST', 'IMPORT_INVALID', message);
}

function formatMb(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}
