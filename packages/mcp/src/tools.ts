import { MESSAGE_MAX_LENGTH, type AppRouter } from '@llm-council/sdk';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { TRPCClient } from '@trpc/client';
import { z } from 'zod';
import { consultCouncil } from './consult.js';
import { consultOutput, listOutput, searchOutput, toConsultOutput, toConsultText } from './tool-output.js';
import { CouncilProgress } from './progress.js';
import { describeUnknownCouncil, findCouncil, listAskableCouncils } from './saved-councils.js';
import { toolError, toToolError } from './tool-errors.js';

const conversationId = z.uuid('id must be a conversation id (a UUID, from list_conversations or search_conversations)');

/**
 * The council as MCP tools, over any transport (Streamable HTTP on the server, stdio in the CLI).
 * Every tool calls the API through `client` like any other program, so the token's scopes,
 * ownership, limits and budgets apply: `consult_council` needs the `council` scope, the others `read`.
 */
export function createCouncilMcpServer(client: TRPCClient<AppRouter>, version: string): McpServer {
  const server = new McpServer({ name: 'llm-council', version });

  server.registerTool(
    'consult_council',
    {
      title: 'Consult the LLM Council',
      description:
        'Asks a council of LLMs one question: every model answers, each reviews the others anonymously and ranks them, ' +
        "and a chairman writes the final answer. Returns the chairman's answer, the council's ranking (street-cred table) " +
        'and how much the reviewers agreed; with include_details, every answer and review too. `council` picks one of ' +
        'the user’s saved councils by name (its models, chairman, mode and instructions); `mode` asks for less council: ' +
        '`ranked` (no chairman: the top-ranked answer) or `answers` (no review: the first answer). Takes a minute or ' +
        'more; sends progress per stage. Stored as a conversation in the user’s account and counted in their usage and budgets.',
      inputSchema: {
        question: z
          .string()
          .min(1, 'question cannot be empty')
          .max(MESSAGE_MAX_LENGTH, `question must be at most ${MESSAGE_MAX_LENGTH} characters`)
          .describe('The question, with any context the council needs (it sees nothing else).'),
        council: z
          .string()
          .min(1, 'council cannot be empty')
          .max(200, 'council must be at most 200 characters')
          .optional()
          .describe(
            'The name of a saved council (the user’s own or the server’s); default: the user’s default council.',
          ),
        mode: z
          .enum(['full', 'ranked', 'answers'], 'mode must be one of full, ranked, answers')
          .optional()
          .describe(
            'full: answers, peer review and a chairman’s synthesis; ranked: answers and peer review, no synthesis; ' +
              'answers: the answers only. Default: the council’s own mode (full).',
          ),
        include_details: z.boolean().optional().describe('Also return every model’s answer and every review (long).'),
      },
      outputSchema: consultOutput,
      annotations: { readOnlyHint: false, openWorldHint: true },
    },
    async ({ question, council, mode, include_details }, extra) => {
      const progressToken = extra._meta?.progressToken;
      const progress = new CouncilProgress();
      let sent = 0;
      try {
        let councilId: string | undefined;
        if (council !== undefined) {
          const councils = await listAskableCouncils(client);
          const found = findCouncil(councils, council);
          if (!found) return toolError(`council: ${describeUnknownCouncil(councils, council)}`);
          councilId = found.id;
        }
        const result = await consultCouncil(
          client,
          {
            question,
            source: 'mcp',
            ...(councilId !== undefined ? { councilId } : {}),
            ...(mode !== undefined ? { mode } : {}),
          },
          {
            signal: extra.signal,
            onEvent: (event) => {
              const step = progress.apply(event);
              if (!step || progressToken === undefined) return;
              // Progress must grow with every notification; the message says what happened.
              sent += 1;
              void extra
                .sendNotification({
                  method: 'notifications/progress',
                  params: { progressToken, progress: sent, message: step.message },
                })
                .catch(() => undefined);
            },
          },
        );
        const output = toConsultOutput(result, include_details === true);
        return {
          isError: result.status !== 'completed',
          content: [{ type: 'text', text: toConsultText(output) }],
          structuredContent: output,
        };
      } catch (error) {
        return toToolError(error);
      }
    },
  );

  server.registerTool(
    'search_conversations',
    {
      title: 'Search past council conversations',
      description:
        'Full-text search over the user’s council conversations (questions, answers, titles), best match first. ' +
        'Syntax: words, "a phrase", or, -excluded. Use get_conversation with a result’s id to read it.',
      inputSchema: {
        query: z.string().min(1, 'query cannot be empty').max(200, 'query must be at most 200 characters'),
        limit: z.number().int().min(1).max(50).optional().describe('How many results (1–50, default 20).'),
      },
      outputSchema: searchOutput,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ query, limit }) => {
      try {
        const { items } = await client.conversations.search.query({ query, ...(limit ? { limit } : {}) });
        const results = items.map((item) => ({
          id: item.conversationId,
          title: item.title,
          snippet: item.snippet.replace(/<\/?mark>/g, '**'),
        }));
        const text =
          results.length === 0
            ? 'No conversation matches.'
            : results.map((r) => `- ${r.id} — ${r.title}: ${r.snippet}`).join('\n');
        return { content: [{ type: 'text', text }], structuredContent: { results } };
      } catch (error) {
        return toToolError(error);
      }
    },
  );

  server.registerTool(
    'get_conversation',
    {
      title: 'Read a council conversation',
      description:
        'One of the user’s council conversations as Markdown: every question with the answers, the reviews, the ranking and the final answer.',
      inputSchema: { id: conversationId.describe('The conversation id.') },
      outputSchema: { id: z.string(), markdown: z.string() },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ id }) => {
      try {
        const { content } = await client.conversations.export.query({ id, format: 'markdown' });
        return { content: [{ type: 'text', text: content }], structuredContent: { id, markdown: content } };
      } catch (error) {
        return toToolError(error);
      }
    },
  );

  server.registerTool(
    'list_conversations',
    {
      title: 'List council conversations',
      description:
        'The user’s most recent council conversations (id, title, where it was asked from), newest activity first.',
      inputSchema: {
        limit: z.number().int().min(1).max(100).optional().describe('How many (1–100, default 30).'),
        cursor: z.string().max(200).optional().describe('next_cursor of the previous page.'),
      },
      outputSchema: listOutput,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ limit, cursor }) => {
      try {
        const page = await client.conversations.list.query({
          ...(limit ? { limit } : {}),
          ...(cursor ? { cursor } : {}),
        });
        const conversations = page.items.map((c) => ({
          id: c.id,
          title: c.title,
          source: c.source,
          message_count: c.messageCount,
          updated_at: c.updatedAt,
        }));
        const text =
          conversations.length === 0
            ? 'No conversations yet.'
            : conversations.map((c) => `- ${c.id} — ${c.title} (${c.updated_at}, ${c.source})`).join('\n');
        return {
          content: [{ type: 'text', text }],
          structuredContent: { conversations, next_cursor: page.nextCursor },
        };
      } catch (error) {
        return toToolError(error);
      }
    },
  );

  return server;
}
