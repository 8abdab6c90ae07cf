import type { Database } from '@llm-council/db';
import type { Kysely } from 'kysely';
import { appError, notFound } from '../errors.js';
import { EXPORT_FORMAT, EXPORT_VERSION, type ExportDocument } from './export-format.js';
import { hasConversation, readAccountForExport, readConversationsForExport } from './export.repository.js';
import { conversationToMarkdown } from './markdown.js';

export interface ExportFile {
  filename: string;
  contentType: string;
  /** The file's text (UTF-8). */
  content: string;
}

/** One of the owner's conversations as Markdown or as an export document; another user's id is NOT_FOUND. */
export async function exportConversation(
  db: Kysely<Database>,
  userId: string,
  input: { id: string; format: 'markdown' | 'json' },
  now: Date,
): Promise<ExportFile> {
  const [conversation] = await readConversationsForExport(db, userId, { only: input.id });
  if (!conversation) throw notFound('Conversation');
  const base = `llm-council-${slug(conversation.title)}-${now.toISOString().slice(0, 10)}`;
  if (input.format === 'markdown') {
    return {
      filename: `${base}.md`,
      contentType: 'text/markdown; charset=utf-8',
      content: conversationToMarkdown(conversation),
    };
  }
  const document: ExportDocument = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: now.toISOString(),
    conversations: [conversation],
  };
  return { filename: `${base}.json`, contentType: 'application/json', content: JSON.stringify(document, null, 2) };
}

/** Conversations per `account.exportAll` page: what one request holds in memory is this many, never the account. */
export const EXPORT_PAGE_CONVERSATIONS = 20;

export interface ExportPage extends ExportFile {
  /** Pass back as `cursor` for the next part of the file; null on the last part. */
  nextCursor: string | null;
}

/**
 * One part of the account's export document, `EXPORT_PAGE_CONVERSATIONS` conversations at a time:
 * the parts' `content`s, joined in order, are exactly `JSON.stringify(document, null, 2)` of the
 * whole document (docs/export-format.md). The first part (no cursor) opens the document with the
 * account; the last closes it. A cursor that names no conversation of the caller's (another user's,
 * or one deleted while the download ran) is refused, so a file is never silently cut short.
 */
export async function exportAccountPage(
  db: Kysely<Database>,
  userId: string,
  cursor: string | null,
  now: Date,
): Promise<ExportPage> {
  if (cursor !== null && !(await hasConversation(db, userId, cursor)))
    throw appError(
      'NOT_FOUND',
      'NOT_FOUND',
      'The conversation this download had reached is gone (deleted while it ran): start the download again',
    );
  // One more than a page tells whether another part follows without a second query.
  const read = await readConversationsForExport(db, userId, { after: cursor, limit: EXPORT_PAGE_CONVERSATIONS + 1 });
  const page = read.slice(0, EXPORT_PAGE_CONVERSATIONS);
  const last = read.length <= EXPORT_PAGE_CONVERSATIONS;
  let content = '';
  if (cursor === null) {
    const head: Omit<ExportDocument, 'conversations'> = {
      format: EXPORT_FORMAT,
      version: EXPORT_VERSION,
      exportedAt: now.toISOString(),
      account: await readAccountForExport(db, userId),
    };
    // The head's own closing "\n}" is dropped: the conversations array and the brace follow.
    content = `${JSON.stringify(head, null, 2).slice(0, -2)},\n  "conversations": [`;
    if (page.length === 0) return { ...fileOf(now), content: `${content}]\n}`, nextCursor: null };
  }
  // Inside the array every line sits four spaces deeper; JSON strings never hold a raw newline.
  const items = page.map((c) => `\n    ${JSON.stringify(c, null, 2).replaceAll('\n', '\n    ')}`);
  content += (cursor === null ? '' : ',') + items.join(',');
  if (last) content += '\n  ]\n}';
  return { ...fileOf(now), content, nextCursor: last ? null : (page.at(-1)?.id ?? null) };
}

function fileOf(now: Date) {
  return { filename: `llm-council-export-${now.toISOString().slice(0, 10)}.json`, contentType: 'application/json' };
}

function slug(title: string): string {
  const s = title
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50)
    .replace(/-+$/, '');
  return s || 'conversation';
}
