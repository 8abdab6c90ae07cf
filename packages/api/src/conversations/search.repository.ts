import { sql, type Kysely } from 'kysely';
import type { Database } from '@llm-council/db';

type Db = Kysely<Database>;

/** Marks a highlighted term in `ts_headline` output: control characters no prose contains. */
export const MATCH_START = '\u0002';
export const MATCH_END = '\u0003';

/**
 * How many matching entries are ranked, at most. `ts_rank` reads every candidate's tsvector, so a
 * word in every answer ("the" is a stop word, but "model" is not) would rank the user's whole
 * history on each keystroke. Past this many hits only the first found are ranked (no order is
 * imposed: sorting them would read them all): a search that matches thousands of texts is
 * refined, not paged to the end.
 */
export const SEARCH_MAX_CANDIDATES = 2_000;

export interface SearchHit {
  conversationId: string;
  title: string;
  /** The question of the turn that matched (whichever branch it is on); null for a title. */
  messageId: string | null;
  /** `ts_headline` of the best entry, matches between MATCH_START and MATCH_END. */
  headline: string;
}

/**
 * One page of the owner's conversations matching `query` (web-search syntax: quotes, `or`, `-`),
 * best first, a conversation once however many of its texts match. The headline — the slow part —
 * is computed only for the page's best entry per conversation.
 */
export async function searchConversations(
  db: Db,
  userId: string,
  query: string,
  page: { limit: number; offset: number },
): Promise<SearchHit[]> {
  const { rows } = await sql<SearchHit>`
    WITH q AS (SELECT websearch_to_tsquery('english', ${query}) AS q),
    candidates AS (
      SELECT e.source_id, e.conversation_id, e.message_id, e.kind, e.document
      FROM search_entries e, q
      WHERE e.user_id = ${userId} AND e.document @@ q.q
      LIMIT ${SEARCH_MAX_CANDIDATES}
    ),
    ranked AS (
      SELECT c.*, ts_rank(c.document, q.q) * CASE c.kind WHEN 'title' THEN 2 ELSE 1 END AS rank
      FROM candidates c, q
    ),
    best AS (
      SELECT DISTINCT ON (conversation_id) conversation_id, source_id, message_id, rank
      FROM ranked
      ORDER BY conversation_id, rank DESC, source_id
    ),
    page AS (
      SELECT b.*, conv.title, conv.updated_at
      FROM best b JOIN conversations conv ON conv.id = b.conversation_id
      ORDER BY b.rank DESC, conv.updated_at DESC, b.conversation_id
      LIMIT ${page.limit} OFFSET ${page.offset}
    )
    SELECT p.conversation_id AS "conversationId", p.title,
      -- A final answer names the question it answers (the turn to open, on whichever branch).
      COALESCE(
        (SELECT r.user_message_id FROM messages a JOIN council_runs r ON r.id = a.run_id
         WHERE a.id = p.message_id AND a.role = 'assistant'),
        p.message_id
      ) AS "messageId",
      ts_headline('english', left(e.body, 100000), q.q,
        'StartSel=${sql.raw(MATCH_START)}, StopSel=${sql.raw(MATCH_END)}, MaxWords=28, MinWords=10, MaxFragments=2, FragmentDelimiter=" … "'
      ) AS headline
    FROM page p JOIN search_entries e ON e.source_id = p.source_id, q
    ORDER BY p.rank DESC, p.updated_at DESC, p.conversation_id`.execute(db);
  return rows;
}
