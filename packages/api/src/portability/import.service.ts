import type { Database } from '@llm-council/db';
import type { Kysely } from 'kysely';
import type { ZodError } from 'zod';
import type { ApiConfig } from '../config.js';
import { appError } from '../errors.js';
import type { Clock } from '../ports.js';
import { checkImportedFile } from '../attachments/attachments.service.js';
import { enforceRateLimit } from '../shared/rate-limit.js';
import { takeFromRateLimit } from '../shared/rate-limit.repository.js';
import { EXPORT_FORMAT, exportDocumentSchema, type ExportedConversation } from './export-format.js';
import { insertImportedConversations } from './import.repository.js';
import { fromOriginal, looksLikeOriginal, originalConversationSchema } from './original-format.js';
import { releaseStorage, reserveStorage } from '../shared/storage.repository.js';

/** The bytes a user's stored conversations take (the usage page shows it against the quota). */
export { measureStoredBytes } from '../shared/storage.repository.js';

/**
 * Imports one document — this project's export (any number of conversations) or one original
 * llm-council conversation file — for `userId`: either every conversation is stored or none is.
 * A document this cannot read is refused naming the first problems found. Before it is read, the
 * user's quotas are taken (attempts an hour, bytes a day: a refused or invalid file counts too,
 * it was parsed all the same), and before it is written, its size is reserved against their
 * storage cap.
 */
export async function importDocument(
  deps: { db: Kysely<Database>; now: Clock },
  userId: string,
  data: unknown,
  limits: Pick<ApiConfig, 'imports'> & { maxBytes: number },
): Promise<{ conversationIds: string[] }> {
  const { db } = deps;
  const { perHour, kibPerDay, userStorageMaxBytes } = limits.imports;
  await enforceRateLimit(deps, `import:${userId}`, perHour);
  // `data` passed jsonDocument's depth bound (the input schema), so this cannot overflow the stack.
  const bytes = Buffer.byteLength(JSON.stringify(data) ?? '');
  if (bytes > limits.maxBytes) {
    throw appError(
      'PAYLOAD_TOO_LARGE',
      'PAYLOAD_TOO_LARGE',
      `An import is at most ${formatMb(limits.maxBytes)} MB; this one is ${formatMb(bytes)} MB`,
    );
  }
  const taken = await takeFromRateLimit(db, `import-kib:${userId}`, kibPerDay, Math.ceil(bytes / 1024), deps.now());
  if (!taken.allowed) {
    throw appError(
      'TOO_MANY_REQUESTS',
      'IMPORT_QUOTA_EXCEEDED',
      `Imports are limited to at most ${formatMb(kibPerDay.limit * 1024)} MB a day; ${formatMb(Math.max(0, kibPerDay.limit - taken.count) * 1024)} MB are left today`,
      { retryAfterSeconds: taken.retryAfterSeconds },
    );
  }
  const conversations = readConversations(data);
  if (userStorageMaxBytes !== null) {
    const reservation = await reserveStorage(db, userId, bytes, userStorageMaxBytes, deps.now());
    if (!reservation.isReserved) {
      throw appError(
        'FORBIDDEN',
        'STORAGE_LIMIT_REACHED',
        `This import (${formatMb(bytes)} MB) does not fit: you store ${formatMb(reservation.usedBytes)} MB of at most ${formatMb(userStorageMaxBytes)} MB. Delete conversations to make room.`,
      );
    }
  }
  try {
    return { conversationIds: await insertImportedConversations(db, userId, conversations, deps.now()) };
  } finally {
    if (userStorageMaxBytes !== null) await releaseStorage(db, userId, bytes);
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
 * written: ids used twice, a parent or shown question that is not a question before it, a run of
 * no question, one model answering a stage twice.
 */
function findReferenceProblem(c: ExportedConversation): string | null {
  const seen = new Set<string>();
  // A parent comes before its children, so the branches form a tree (no cycle) written in order.
  const questionsSoFar = new Set<string>();
  for (const [i, m] of c.messages.entries()) {
    if (seen.has(m.id)) return `messages.${i}.id is used twice`;
    const fileProblem = findAttachmentProblem(m);
    if (fileProblem) return `messages.${i}.${fileProblem}`;
    seen.add(m.id);
    if (m.parentId && !questionsSoFar.has(m.parentId)) {
      return `messages.${i}.parentId names no question before it in that conversation`;
    }
    if (m.role === 'user') questionsSoFar.add(m.id);
  }
  const questions = questionsSoFar;
  if (c.shownQuestionId && !questions.has(c.shownQuestionId)) {
    return 'shownQuestionId names no question of that conversation';
  }
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

/** What an upload's checks would refuse about a message's files; only questions carry files. */
function findAttachmentProblem(m: ExportedConversation['messages'][number]): string | null {
  const files = m.attachments ?? [];
  if (files.length > 0 && m.role !== 'user') return 'attachments: only a question carries attachments';
  for (const [j, file] of files.entries()) {
    const checked = checkImportedFile({ ...file, bytes: Buffer.from(file.data, 'base64') });
    if (!checked.ok) return `attachments.${j} (${JSON.stringify(file.name)}): ${checked.problem}`;
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
