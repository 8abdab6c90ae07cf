import type { Database } from '@llm-council/db';
import type { Kysely } from 'kysely';
import { notFound } from '../errors.js';
import { EXPORT_FORMAT, EXPORT_VERSION, type ExportDocument } from './export-format.js';
import { readAccountForExport, readConversationsForExport } from './export.repository.js';
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
  const [conversation] = await readConversationsForExport(db, userId, input.id);
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

/** Everything of the account: its email and creation date, and every conversation with all it holds. */
export async function exportAccount(db: Kysely<Database>, userId: string, now: Date): Promise<ExportFile> {
  const document: ExportDocument = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: now.toISOString(),
    account: await readAccountForExport(db, userId),
    conversations: await readConversationsForExport(db, userId),
  };
  return {
    filename: `llm-council-export-${now.toISOString().slice(0, 10)}.json`,
    contentType: 'application/json',
    content: JSON.stringify(document, null, 2),
  };
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
