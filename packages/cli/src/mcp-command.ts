import type { CouncilClient } from '@llm-council/sdk';
import { createCouncilMcpServer } from '@llm-council/mcp';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';

/**
 * Serves the council's MCP tools over stdio (for clients that only start local commands),
 * calling the server the CLI is logged in to with its token: the same tools as the server's
 * /mcp endpoint. Resolves when the client closes the connection.
 */
export async function mcpCommand(client: CouncilClient, version: string): Promise<void> {
  const server = createCouncilMcpServer(client, version);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => (transport.onclose = resolve));
  await server.connect(transport);
  await closed;
}
