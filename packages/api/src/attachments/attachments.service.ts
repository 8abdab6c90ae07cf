import { createHash } from 'node:crypto';
import type { QuestionAttachment } from '@llm-council/council';
import type { Database } from '@llm-council/db';
import type { Kysely, Transaction } from 'kysely';
import type { ApiConfig } from '../config.js';
import { attachmentLimits, type AttachmentKind } from '../constants.js';
import { appError } from '../errors.js';
import type { Clock } from '../ports.js';
import { enforceRateLimit } from '../shared/rate-limit.js';
import { withStorageReserved } from '../shared/storage-reservation.js';
import {
  bindAttachments,
  copyAttachments,
  deleteUnattachedBefore,
  findAttachmentOfUser,
  findAttachmentsOfUser,
  hasBlob,
  insertUpload,
  insertUploadIn,
  listAttachmentContentOfMessages,
  listAttachmentsOfMessages,
  type AttachmentContent,
  type AttachmentView,
} from './attachments.repository.js';
import { decodeText, sniffFile } from './file-kind.js';
import { extractPdfText } from './pdf-text.js';

export type { AttachmentContent, AttachmentView } from './attachments.repository.js';
export { copyAttachments, listAttachmentContentOfMessages, listAttachmentsOfMessages };

/** How long one PDF's text may take to read before the worker is ended. */
const PDF_TIMEOUT_MS = 20_000;

type UploadDeps = { db: Kysely<Database>; now: Clock; config: Pick<ApiConfig, 'imports'> };

const mb = (bytes: number) => `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;

/**
 * Counts one upload against the user's limit (`rateLimits.uploadsPerUser`, in the database every
 * host shares); past it, TOO_MANY_REQUESTS with the wait. The host calls this before it reads the
 * body, so a flood of uploads is refused without a byte of it parsed (no PDF read, no hash).
 */
export function admitUpload(
  deps: { db: Kysely<Database>; now: Clock; config: Pick<ApiConfig, 'rateLimits'> },
  userId: string,
): Promise<void> {
  return enforceRateLimit(deps, `upload:user:${userId}`, deps.config.rateLimits.uploadsPerUser, 'uploads');
}

/**
 * Stores one uploaded file for the user, unattached, after reading what it is from its bytes:
 * text or code (valid UTF-8), a PDF (its text read in a worker) or a PNG, JPEG, WebP or GIF
 * image, each within its size limit, and within the user's storage cap (the one imports count
 * against; bytes already stored take no more room). Every refusal names the file and the limit.
 */
export async function uploadAttachment(
  deps: UploadDeps,
  userId: string,
  file: { name: string; bytes: Uint8Array; isTruncated: boolean },
): Promise<AttachmentView> {
  const name = cleanFileName(file.name);
  const quoted = `"${name}"`;
  if (file.isTruncated) {
    throw tooLarge(`${quoted} is larger than ${mb(maxUploadBytes)}, the most a file may be`);
  }
  if (file.bytes.byteLength === 0) throw invalid('BAD_REQUEST', `${quoted} is empty`);
  const sniffed = sniffFile(file.bytes);
  if (sniffed.kind === null) {
    throw invalid(
      'UNSUPPORTED_MEDIA_TYPE',
      `${quoted} cannot be attached: ${sniffed.reason}. Attach text or code (UTF-8, up to ${mb(attachmentLimits.textMaxBytes)}), a PDF (up to ${mb(attachmentLimits.pdfMaxBytes)}) or a PNG, JPEG, WebP or GIF image (up to ${mb(attachmentLimits.imageMaxBytes)})`,
    );
  }
  const limit = maxBytesOf(sniffed.kind);
  if (file.bytes.byteLength > limit) {
    throw tooLarge(
      `${quoted} is ${mb(file.bytes.byteLength)}; a ${describeKind(sniffed.kind)} may be at most ${mb(limit)}`,
    );
  }
  const text = await readText(quoted, sniffed.kind, file.bytes);
  const sha256 = createHash('sha256').update(file.bytes).digest('hex');
  // Uploads never attached expire; the user's own are cleared here, everyone's by the cleanup.
  await deleteUnattachedBefore(deps.db, unattachedCutoff(deps.now()), userId);
  const upload = { userId, sha256, kind: sniffed.kind, mediaType: sniffed.mediaType, data: file.bytes, text, name };
  if (await hasBlob(deps.db, userId, sha256)) return insertUpload(deps.db, upload);
  return withStorageReserved(
    deps,
    userId,
    { bytes: file.bytes.byteLength, maxBytes: deps.config.imports.userStorageMaxBytes, what: `The file ${quoted}` },
    () => insertUpload(deps.db, upload),
  );
}

/** The largest file any kind may be: the upload stops reading past it. */
export const maxUploadBytes = Math.max(
  attachmentLimits.textMaxBytes,
  attachmentLimits.pdfMaxBytes,
  attachmentLimits.imageMaxBytes,
);

/** Uploads created before this instant and still unattached are deleted. */
export function unattachedCutoff(now: Date): Date {
  return new Date(now.getTime() - attachmentLimits.unattachedTtlHours * 3_600_000);
}

/** Everyone's expired unattached uploads (the periodic cleanup). */
export function deleteExpiredUploads(db: Kysely<Database>, now: Date): Promise<number> {
  return deleteUnattachedBefore(db, unattachedCutoff(now));
}

async function readText(quoted: string, kind: 'text' | 'pdf' | 'image', bytes: Uint8Array): Promise<string | null> {
  if (kind === 'image') return null;
  if (kind === 'text') return decodeText(bytes);
  const pdf = await extractPdfText(bytes, { maxPages: attachmentLimits.pdfMaxPages, timeoutMs: PDF_TIMEOUT_MS });
  if (!pdf.ok) throw invalid('UNPROCESSABLE_CONTENT', `${quoted} cannot be read: ${pdf.reason}`);
  if (pdf.text.length > attachmentLimits.textMaxBytes) {
    throw tooLarge(
      `${quoted} holds more than ${attachmentLimits.textMaxBytes.toLocaleString('en')} characters of text, the most a file's text may be`,
    );
  }
  return pdf.text;
}

function maxBytesOf(kind: 'text' | 'pdf' | 'image'): number {
  if (kind === 'text') return attachmentLimits.textMaxBytes;
  return kind === 'pdf' ? attachmentLimits.pdfMaxBytes : attachmentLimits.imageMaxBytes;
}

function describeKind(kind: 'text' | 'pdf' | 'image'): string {
  return kind === 'text' ? 'text file' : kind === 'pdf' ? 'PDF' : 'image';
}

/**
 * The name a file is shown under: its last path segment, without control characters, at most
 * `nameMaxLength` characters; a file sent without a name is "file".
 */
export function cleanFileName(raw: string): string {
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  const base = (raw.split(/[\\/]/).pop() ?? '').replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim();
  return base.slice(0, attachmentLimits.nameMaxLength) || 'file';
}

/**
 * The uploads a start attaches to its question, checked before anything is written: every id
 * is one of the user's uploads not attached yet (another user's id is "not found", as if it did
 * not exist), at most `perQuestion` of them and `perQuestionMaxBytes` together.
 */
export async function loadUploadsToAttach(
  db: Kysely<Database>,
  userId: string,
  ids: string[],
): Promise<QuestionAttachment[]> {
  if (ids.length > attachmentLimits.perQuestion) {
    throw invalid(
      'BAD_REQUEST',
      `A question carries at most ${attachmentLimits.perQuestion} attachments; this one has ${ids.length}`,
    );
  }
  const rows = await findAttachmentsOfUser(db, userId, ids);
  const byId = new Map(rows.map((row) => [row.id, row]));
  const ordered = ids.map((id) => {
    const row = byId.get(id);
    if (!row) throw appError('NOT_FOUND', 'NOT_FOUND', `Attachment ${id} not found (upload it again)`);
    if (row.messageId !== null) {
      throw invalid(
        'CONFLICT',
        `"${row.name}" is already attached to another question; upload it again to attach it here`,
      );
    }
    return row;
  });
  const total = ordered.reduce((sum, row) => sum + row.size, 0);
  if (total > attachmentLimits.perQuestionMaxBytes) {
    throw tooLarge(
      `The attachments of one question are at most ${mb(attachmentLimits.perQuestionMaxBytes)} together; these are ${mb(total)}`,
    );
  }
  return ordered.map(toQuestionAttachment);
}

/** Binds checked uploads to the new question, inside the start's transaction (a parallel start that took one rolls this back). */
export async function attachToQuestion(
  trx: Transaction<Database>,
  userId: string,
  ids: string[],
  messageId: string,
): Promise<void> {
  const bound = await bindAttachments(trx, userId, ids, messageId);
  if (bound !== ids.length) {
    throw invalid(
      'CONFLICT',
      'An attachment was attached to another question meanwhile; upload it again to attach it here',
    );
  }
}

/**
 * Checks a file from an import as an upload is checked — its kind and media type read from its
 * bytes, its size within its kind's limit, a PDF with the text read from it — and returns what
 * to store (a text file's text read from its bytes again), or the problem, said as "<what is wrong>".
 */
export function checkImportedFile(file: {
  kind: AttachmentKind;
  mediaType: string;
  bytes: Uint8Array;
  text: string | null;
}): { ok: true; text: string | null } | { ok: false; problem: string } {
  const sniffed = sniffFile(file.bytes);
  if (sniffed.kind === null || sniffed.kind !== file.kind || sniffed.mediaType !== file.mediaType) {
    return { ok: false, problem: `its bytes are not a ${file.mediaType} ${file.kind} file` };
  }
  if (file.bytes.byteLength > maxBytesOf(file.kind)) {
    return { ok: false, problem: `a ${describeKind(file.kind)} may be at most ${mb(maxBytesOf(file.kind))}` };
  }
  if (file.kind === 'image') return { ok: true, text: null };
  if (file.kind === 'text') return { ok: true, text: decodeText(file.bytes) };
  if (!file.text?.trim()) return { ok: false, problem: "a PDF needs the text read from it ('text')" };
  return { ok: true, text: file.text };
}

/** Stores checked files of imported questions (their bytes once per user and content), in one transaction. */
export async function insertImportedAttachments(
  db: Kysely<Database>,
  userId: string,
  files: {
    messageId: string;
    position: number;
    name: string;
    kind: AttachmentKind;
    mediaType: string;
    data: Uint8Array;
    text: string | null;
  }[],
): Promise<void> {
  if (files.length === 0) return;
  await db.transaction().execute(async (trx) => {
    for (const file of files) {
      const sha256 = createHash('sha256').update(file.data).digest('hex');
      await insertUploadIn(trx, { ...file, userId, sha256 });
    }
  });
}

/** A question's attachments as its run sends them. */
export async function attachmentsOfQuestion(db: Kysely<Database>, messageId: string): Promise<QuestionAttachment[]> {
  return (await listAttachmentContentOfMessages(db, [messageId])).map(toQuestionAttachment);
}

/** One of the user's attachments with its bytes, or undefined (another user's is undefined too). */
export function findAttachmentForDownload(
  db: Kysely<Database>,
  userId: string,
  id: string,
): Promise<AttachmentContent | undefined> {
  return findAttachmentOfUser(db, userId, id);
}

function toQuestionAttachment(row: AttachmentContent): QuestionAttachment {
  return {
    name: row.name,
    kind: row.kind,
    mediaType: row.mediaType,
    text: row.text,
    dataUrl: row.kind === 'image' ? `data:${row.mediaType};base64,${Buffer.from(row.data).toString('base64')}` : null,
  };
}

type TrpcCode = Parameters<typeof appError>[0];

function invalid(code: TrpcCode, message: string) {
  return appError(code, 'ATTACHMENT_INVALID', message);
}

function tooLarge(message: string) {
  return appError('PAYLOAD_TOO_LARGE', 'PAYLOAD_TOO_LARGE', message);
}
