import type { Database } from '@llm-council/db';
import type { Kysely } from 'kysely';
import { appError } from '../errors.js';
import { MATCH_END, MATCH_START, searchConversations } from './search.repository.js';

/** Deep pages are not worth their cost: results past this offset are refined, not paged to. */
const MAX_OFFSET = 1_000;

export interface SearchResult {
  items: { conversationId: string; title: string; snippet: string; messageId: string | null }[];
  nextCursor: string | null;
}

/**
 * The caller's conversations matching `query`, best first. `snippet` is HTML-safe text: everything
 * is escaped and the matched words are wrapped in `<mark>`…`</mark>` (the only markup it can hold),
 * so a client may show it as is and model output can never inject markup through it.
 */
export async function searchOwnConversations(
  db: Kysely<Database>,
  userId: string,
  input: { query: string; cursor?: string | null | undefined; limit: number },
): Promise<SearchResult> {
  const offset = input.cursor ? decodeOffset(input.cursor) : 0;
  const rows = await searchConversations(db, userId, input.query, { limit: input.limit + 1, offset });
  const page = rows.slice(0, input.limit);
  const next = offset + input.limit;
  return {
    items: page.map((r) => ({
      conversationId: r.conversationId,
      title: r.title,
      snippet: toSnippet(r.headline),
      messageId: r.messageId,
    })),
    nextCursor: rows.length > input.limit && next <= MAX_OFFSET ? encodeOffset(next) : null,
  };
}

function toSnippet(headline: string): string {
  const out: string[] = [];
  let marked = false;
  for (const part of headline.split(new RegExp(`([${MATCH_START}${MATCH_END}])`))) {
    if (part === MATCH_START) marked = true;
    else if (part === MATCH_END) marked = false;
    else if (part) out.push(marked ? `<mark>${escapeHtml(part)}</mark>` : escapeHtml(part));
  }
  return out.join('').replace(/\s+/g, ' ').trim();
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// Cursors are opaque to clients: base64url of `s:<offset>`.
function encodeOffset(offset: number): string {
  return Buffer.from(`s:${offset}`, 'utf8').toString('base64url');
}

function decodeOffset(cursor: string): number {
  const match = /^s:(\d{1,5})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  const offset = match ? Number(match[1]) : NaN;
  if (!Number.isInteger(offset) || offset > MAX_OFFSET) {
    throw appError('BAD_REQUEST', 'VALIDATION_FAILED', 'cursor: not a cursor this server issued');
  }
  return offset;
}
