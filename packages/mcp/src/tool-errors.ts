import { getAppErrorCode, getFieldErrors, getRetryAfterSeconds } from '@llm-council/sdk';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { TRPCClientError } from '@trpc/client';

/** The council's input names, as the tools call them. */
const toolFieldNames: Record<string, string> = { content: 'question', councilId: 'council', id: 'id', query: 'query' };

/**
 * A refusal of the API (a missing scope or key, a limit, a budget, bad input) as an MCP tool
 * error: `isError` with a sentence that names the field or the limit, so the model calling the
 * tool can tell the user what to do. Never a protocol failure.
 */
export function toToolError(error: unknown): CallToolResult {
  return toolError(describeFailure(error));
}

/** A tool error with this sentence. */
export function toolError(text: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text }] };
}

function describeFailure(error: unknown): string {
  if (!(error instanceof TRPCClientError)) return 'The council server failed unexpectedly; please try again.';
  const code = getAppErrorCode(error);
  const fields = Object.entries(getFieldErrors(error));
  if (fields.length > 0) {
    return fields.map(([field, messages]) => `${toolFieldNames[field] ?? field}: ${messages.join('; ')}`).join('. ');
  }
  const retryAfter = getRetryAfterSeconds(error);
  const wait = retryAfter ? ` Try again in ${formatWait(retryAfter)}.` : '';
  return `${code ? `${code}: ` : ''}${error.message}${wait}`;
}

function formatWait(seconds: number): string {
  if (seconds < 120) return `${seconds} seconds`;
  if (seconds < 7200) return `${Math.ceil(seconds / 60)} minutes`;
  return `${Math.ceil(seconds / 3600)} hours`;
}
