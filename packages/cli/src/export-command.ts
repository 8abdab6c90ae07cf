import { writeFile } from 'node:fs/promises';
import type { CouncilClient } from '@llm-council/sdk';

/** One conversation as Markdown or JSON, to stdout or (`--output`) to a file. */
export async function exportCommand(
  client: CouncilClient,
  id: string,
  options: { format: 'markdown' | 'json'; output?: string },
  io: { write: (text: string) => void; log: (line: string) => void },
): Promise<void> {
  const file = await client.conversations.export.query({ id, format: options.format });
  if (!options.output) return io.write(file.content.endsWith('\n') ? file.content : `${file.content}\n`);
  await writeFile(options.output, file.content);
  io.log(`Wrote ${options.output}`);
}
