import type { CouncilClient } from '@llm-council/sdk';

/** Prints the newest conversations: id, last activity and title, one per line (or JSON). */
export async function listCommand(
  client: CouncilClient,
  options: { limit: number; json?: boolean },
  write: (text: string) => void,
): Promise<void> {
  const { items } = await client.conversations.list.query({ limit: options.limit });
  if (options.json) return write(`${JSON.stringify(items)}\n`);
  if (items.length === 0) return write('No conversations yet. Ask one with `llm-council ask "…"`.\n');
  for (const item of items) write(`${item.id}  ${item.updatedAt.slice(0, 16).replace('T', ' ')}  ${item.title}\n`);
}
