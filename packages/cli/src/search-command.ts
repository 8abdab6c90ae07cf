import type { CouncilClient } from '@llm-council/sdk';

/** The snippet as plain text: the server's HTML-safe text with `<mark>` around matches. */
export function snippetText(snippet: string): string {
  return snippet
    .replace(/<\/?mark>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/** Full-text search over the caller's conversations: id, title and the matching snippet (or JSON). */
export async function searchCommand(
  client: CouncilClient,
  query: string,
  options: { limit: number; json?: boolean },
  write: (text: string) => void,
): Promise<void> {
  const { items } = await client.conversations.search.query({ query, limit: options.limit });
  if (options.json) return write(`${JSON.stringify(items)}\n`);
  if (items.length === 0) return write('No conversation matches.\n');
  for (const item of items) write(`${item.conversationId}  ${item.title}\n    ${snippetText(item.snippet)}\n`);
}
