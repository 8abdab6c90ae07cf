import type { ServerResponse } from 'node:http';
import type { FakeBehavior } from './fake-upstream.types.js';
import type { ChatMessage } from '../upstream/upstream.types.js';
import type { ModelInfo } from '../upstream/provider-catalog.js';
import { defaultReply } from './fake-upstream.replies.js';
import type { ScriptedReply } from './fake-upstream.reviewers.js';
import { wait, sendJson } from './fake-upstream.http.js';

export interface ChatExchange {
  res: ServerResponse;
  /** Aborts when the client disconnects. */
  signal: AbortSignal;
  model: string;
  messages: ChatMessage[];
  isStream: boolean;
  /** Results the web search tool asked for; 0: no web search. */
  webSearchResults?: number;
  behavior: FakeBehavior;
  pricing: ModelInfo['pricing'];
  id: string;
  /** The reply decided by the server (scripted reviewers), else computed here. */
  scripted?: ScriptedReply;
}

/** OpenRouter keeps slow streams alive with SSE comments; clients must skip them. */
const keepAliveComment = ': OPENROUTER PROCESSING\n\n';
const keepAliveEveryMs = 250;
/** Longer than any test: a hang lasts until the client disconnects. */
const foreverMs = 2 ** 31 - 1;

/** Words with their trailing whitespace, so joining the tokens gives back the text exactly. */
function tokenize(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? [];
}

/** OpenRouter's web search plugin price: $4 per 1,000 results. */
const WEB_RESULT_USD = 0.004;

/**
 * The `url_citation` annotations of an answer that searched the web, as OpenRouter sends them: the
 * pages found for the question (deterministic, so tests can name them), each cited once.
 */
export function webCitations(exchange: Pick<ChatExchange, 'messages' | 'webSearchResults'>, text: string) {
  const count = Math.min(exchange.webSearchResults ?? 0, 3);
  const question = exchange.messages.findLast((m) => m.role === 'user')?.content ?? '';
  const slug =
    question
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40) || 'question';
  return Array.from({ length: count }, (_, i) => ({
    type: 'url_citation',
    url_citation: {
      url: `https://search.example.org/${slug}/result-${i + 1}`,
      title: `Result ${i + 1} about ${slug.replaceAll('-', ' ')}`,
      content: `An excerpt of result ${i + 1}.`,
      start_index: 0,
      end_index: Math.min(text.length, 20),
    },
  }));
}

function buildUsage(exchange: ChatExchange, answerTokens: number) {
  const reasoningTokens = tokenize(exchange.behavior.reasoning ?? '').length;
  const completionTokens = answerTokens + reasoningTokens;
  const promptChars = exchange.messages.reduce((sum, m) => sum + m.content.length, 0);
  const prompt = exchange.behavior.usage?.promptTokens ?? Math.ceil(promptChars / 4);
  const completion = exchange.behavior.usage?.completionTokens ?? completionTokens;
  const pricing = exchange.pricing;
  const searchCost = (exchange.webSearchResults ?? 0) * WEB_RESULT_USD;
  const cost =
    exchange.behavior.cost ??
    (pricing ? prompt * pricing.prompt + completion * pricing.completion + searchCost : undefined);
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    ...(reasoningTokens > 0 && { completion_tokens_details: { reasoning_tokens: reasoningTokens } }),
    ...(cost !== undefined && { cost: Number(cost.toFixed(8)) }),
  };
}

export function replyText(exchange: Pick<ChatExchange, 'behavior' | 'model' | 'messages' | 'scripted'>): string {
  const { behavior, model, messages } = exchange;
  return exchange.scripted?.text ?? behavior.reply?.(messages) ?? behavior.text ?? defaultReply(model, messages);
}

/** Waits like a provider that is still thinking, sending a keep-alive comment now and then. */
async function keepAliveFor(exchange: ChatExchange, ms: number): Promise<void> {
  for (let left = ms; left > 0; left -= keepAliveEveryMs) {
    await wait(Math.min(keepAliveEveryMs, left), exchange.signal);
    exchange.res.write(keepAliveComment);
  }
}

/** Answers one chat completion after the status checks passed: streamed SSE or a JSON body. */
export async function serveChatCompletion(exchange: ChatExchange): Promise<void> {
  const { res, behavior, signal } = exchange;
  const text = replyText(exchange);
  const finishReason = exchange.scripted?.finishReason ?? 'stop';
  const tokens = tokenize(text);
  const base = {
    id: exchange.id,
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model: exchange.model,
    provider: 'Fake',
  };

  if (!exchange.isStream) {
    await wait(behavior.hang ? foreverMs : (behavior.firstTokenMs ?? 0), signal);
    sendJson(res, 200, {
      ...base,
      object: 'chat.completion',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: text, annotations: webCitations(exchange, text) },
          finish_reason: finishReason,
        },
      ],
      usage: buildUsage(exchange, tokens.length),
    });
    return;
  }

  const writeData = (data: unknown): void => {
    res.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
  };
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
  res.write(keepAliveComment);
  await keepAliveFor(exchange, behavior.hang ? foreverMs : (behavior.firstTokenMs ?? 0));

  // A reasoning model thinks aloud first: its thinking streams on `delta.reasoning`.
  for (const thought of tokenize(behavior.reasoning ?? '')) {
    writeData({
      ...base,
      choices: [{ index: 0, delta: { role: 'assistant', content: '', reasoning: thought }, finish_reason: null }],
    });
    await wait(behavior.tokenDelayMs ?? 0, signal);
  }
  // Faults strike halfway, so the client has already shown some text (for replies of 2+ tokens).
  const faultAt = Math.floor(tokens.length / 2);
  for (const [index, token] of tokens.entries()) {
    if (index === faultAt && behavior.midStreamError) {
      writeData({
        ...base,
        error: { code: 'server_error', message: 'Provider disconnected unexpectedly' },
        choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }],
      });
      res.end();
      return;
    }
    // A truncated JSON object, as a buggy proxy might cut a line; the stream then carries on.
    if (index === faultAt && behavior.malformedChunk) writeData('{"choices":[{"delta":{"content":"');
    const delta = index === 0 ? { role: 'assistant', content: token } : { content: token };
    writeData({ ...base, choices: [{ index: 0, delta, finish_reason: null }] });
    if (index < tokens.length - 1) await wait(behavior.tokenDelayMs ?? 0, signal);
  }
  // OpenRouter sends the citations on a delta of their own near the end of the stream.
  const annotations = webCitations(exchange, text);
  if (annotations.length > 0)
    writeData({ ...base, choices: [{ index: 0, delta: { annotations }, finish_reason: null }] });
  writeData({ ...base, choices: [{ index: 0, delta: { content: '' }, finish_reason: finishReason }] });
  writeData({ ...base, choices: [], usage: buildUsage(exchange, tokens.length) });
  writeData('[DONE]');
  res.end();
}
