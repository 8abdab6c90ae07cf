import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type {
  FakeBehavior,
  FakeUpstream,
  FakeUpstreamOptions,
  RecordedContentPart,
  RecordedRequest,
} from './fake-upstream.types.js';
import type { ChatMessage } from '../upstream/upstream.types.js';
import { replyText, serveChatCompletion } from './fake-upstream.chat.js';
import { scriptedReview, type AnswerRecord } from './fake-upstream.reviewers.js';
import { bearerToken, readJsonBody, sendError, sendJson, wait } from './fake-upstream.http.js';
import type { ModelInfo } from '../upstream/provider-catalog.js';
import { demoCatalog } from './demo-catalog.js';

// OpenAI's content parts: text, and images as `image_url` (http(s) or data URLs).
const contentPartSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({ type: z.literal('image_url'), image_url: z.object({ url: z.string().min(1) }) }),
]);

const chatBodySchema = z.object({
  model: z.string().min(1),
  messages: z.array(
    z.object({
      role: z.enum(['system', 'user', 'assistant']),
      content: z.union([z.string(), z.array(contentPartSchema).min(1)]),
    }),
  ),
  stream: z.boolean().optional(),
  temperature: z.number().optional(),
  max_tokens: z.number().int().optional(),
  reasoning: z.object({ effort: z.enum(['xhigh', 'high', 'medium', 'low', 'minimal', 'none']) }).optional(),
  tools: z.array(z.object({ type: z.string(), parameters: z.record(z.string(), z.unknown()).optional() })).optional(),
});

/**
 * Starts an OpenAI/OpenRouter-compatible server on 127.0.0.1 for tests and the offline demo:
 * `POST /v1/chat/completions` (streamed or not), `GET /v1/models`, `GET /v1/key`. Each model's
 * behaviour (latency, failures, hangs, broken streams) is scriptable with `setBehavior`.
 *
 * @example
 * const upstream = await startFakeUpstream();
 * upstream.setBehavior('x-ai/grok-4', { status: 429, failTimes: 1, retryAfterSec: 0 });
 * const { chat } = createChatClient({ baseUrl: upstream.url, apiKey: 'test' });
 * await upstream.close();
 */
export async function startFakeUpstream(options: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const behaviors = new Map<string, FakeBehavior>();
  const failuresServed = new Map<string, number>();
  const requests: RecordedRequest[] = [];
  const inFlight = new Set<AbortController>();
  const catalog = options.models ?? demoCatalog;
  let requestCount = 0;
  // Every answer served, by text: scripted reviewers look answers up here to judge hidden quality.
  const answers = new Map<string, AnswerRecord>();

  function keyProblem(authorization: string | undefined): number | undefined {
    if (!options.keys) return undefined;
    const token = bearerToken(authorization);
    const key = token !== undefined && Object.hasOwn(options.keys, token) ? options.keys[token] : undefined;
    if (!key?.valid) return 401;
    if (key.limit !== undefined && (key.usage ?? 0) >= key.limit) return 402;
    return undefined;
  }

  async function handleChat(req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<void> {
    const parsed = chatBodySchema.safeParse(await readJsonBody(req));
    if (!parsed.success) return sendError(res, 400, { message: 'Invalid request body' });
    const { model, stream = false, temperature, max_tokens: maxTokens, reasoning, tools } = parsed.data;
    const messages = parsed.data.messages.map(fromWireMessage);
    const recorded: RecordedRequest = {
      model,
      contentParts: parsed.data.messages.flatMap((m) => describeParts(m.role, m.content)),
      temperature,
      maxTokens,
      reasoning,
      tools,
      authorization: req.headers.authorization,
      stream,
      messages,
      headers: req.headers,
      at: Date.now(),
      endedAt: undefined,
    };
    requests.push(recorded);

    const behavior = { ...options.defaultBehavior, ...behaviors.get(model) };
    await wait(behavior.latencyMs ?? 0, signal);
    const authStatus = keyProblem(req.headers.authorization);
    if (authStatus !== undefined) return sendError(res, authStatus);
    if (options.models && !options.models.some((m) => m.id === model)) {
      return sendError(res, 400, { message: `${model} is not a valid model ID` });
    }
    // Like a real provider, refuse a prompt longer than the model's window (about 4 chars a token).
    const contextLength = catalog.find((m) => m.id === model)?.contextLength;
    const promptTokens = Math.ceil(messages.reduce((sum, m) => sum + m.content.length, 0) / 4);
    if (contextLength && promptTokens > contextLength) {
      const message = `This endpoint's maximum context length is ${contextLength} tokens. However, you requested about ${promptTokens} tokens.`;
      return sendError(res, 400, { message });
    }
    if (behavior.status !== undefined) {
      const served = failuresServed.get(model) ?? 0;
      if (behavior.failTimes === undefined || served < behavior.failTimes) {
        failuresServed.set(model, served + 1);
        const headers =
          behavior.retryAfterSec !== undefined ? { 'Retry-After': String(behavior.retryAfterSec) } : undefined;
        return sendError(res, behavior.status, { headers });
      }
    }
    const isReview = messages.some((m) => m.content.includes('<<<BEGIN Response'));
    const isChairman = messages.some((m) => m.role === 'system' && /\bchairman\b/i.test(m.content));
    if (behavior.synthesisStatus !== undefined && isChairman) return sendError(res, behavior.synthesisStatus);
    requestCount += 1;
    const scripted =
      behavior.reviewer && isReview && !isChairman
        ? scriptedReview(model, messages, behavior.reviewer, answers, options.seed ?? 1)
        : undefined;
    const exchange = { model, messages, behavior, ...(scripted && { scripted }) };
    if (!isReview && !isChairman) answers.set(replyText(exchange).trim(), { model, quality: behavior.quality ?? 0.5 });
    await serveChatCompletion({
      ...exchange,
      res,
      signal,
      isStream: stream,
      webSearchResults: webSearchResultsOf(tools),
      pricing: catalog.find((m) => m.id === model)?.pricing ?? null,
      id: `gen-fake-${requestCount}`,
    });
    if (!signal.aborted) recorded.endedAt = Date.now();
  }

  function handleKey(req: IncomingMessage, res: ServerResponse): void {
    const token = bearerToken(req.headers.authorization);
    if (!options.keys) {
      return sendJson(res, 200, {
        data: { label: 'fake key', limit: null, limit_remaining: null, usage: 0, is_free_tier: false },
      });
    }
    const key = token !== undefined && Object.hasOwn(options.keys, token) ? options.keys[token] : undefined;
    if (!key?.valid || token === undefined) return sendError(res, 401);
    const usage = key.usage ?? 0;
    const limit = key.limit ?? null;
    sendJson(res, 200, {
      data: {
        label: `${token.slice(0, 8)}...${token.slice(-3)}`,
        limit,
        limit_remaining: limit === null ? null : Math.max(0, limit - usage),
        usage,
        is_free_tier: false,
        rate_limit: { requests: 20, interval: '10s' },
      },
    });
  }

  async function route(req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    switch (`${req.method} ${path}`) {
      case 'POST /v1/chat/completions':
        return handleChat(req, res, signal);
      case 'GET /v1/models':
        return sendJson(res, 200, { data: catalog.map(toWireModel) });
      case 'GET /v1/key':
        return handleKey(req, res);
      default:
        return sendError(res, 404, { message: `No route for ${req.method} ${path}` });
    }
  }

  const server = createServer((req, res) => {
    const clientGone = new AbortController();
    inFlight.add(clientGone);
    // 'close' fires both after a normal end and on a disconnect; only the latter must stop work.
    res.on('close', () => {
      if (!res.writableFinished) clientGone.abort();
      inFlight.delete(clientGone);
    });
    const handled = route(req, res, clientGone.signal);
    handled.catch((err: unknown) => {
      if (clientGone.signal.aborted) return; // The client left; there is nobody to answer.
      if (!res.headersSent) sendError(res, 500, { message: String(err) });
      else res.destroy(err instanceof Error ? err : undefined);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    get openRequests() {
      return inFlight.size;
    },
    setBehavior: (model, behavior) => {
      behaviors.set(model, behavior);
      failuresServed.delete(model);
    },
    reset: () => {
      behaviors.clear();
      failuresServed.clear();
      requests.length = 0;
      answers.clear();
    },
    close: async () => {
      for (const controller of inFlight) controller.abort();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

/** What a model the fake lists accepts unless its entry says otherwise: a reasoning model's set. */
const DEFAULT_SUPPORTED_PARAMETERS = ['max_tokens', 'temperature', 'reasoning', 'include_reasoning', 'tools'];

/** OpenRouter's catalog entry shape (prices as decimal strings), with a field clients should ignore. */
function toWireModel(model: ModelInfo) {
  return {
    id: model.id,
    name: model.name,
    context_length: model.contextLength,
    pricing: model.pricing
      ? { prompt: String(model.pricing.prompt), completion: String(model.pricing.completion) }
      : { prompt: '0', completion: '0' },
    architecture: {
      modality: model.inputModalities?.includes('image') ? 'text+image->text' : 'text->text',
      input_modalities: model.inputModalities ?? ['text'],
      output_modalities: ['text'],
    },
    supported_parameters: model.supportedParameters ?? DEFAULT_SUPPORTED_PARAMETERS,
  };
}

type WireContent = z.infer<typeof chatBodySchema>['messages'][number]['content'];

/** A message as the fake's replies read it: its text parts joined, its images as data URLs. */
function fromWireMessage(message: { role: ChatMessage['role']; content: WireContent }): ChatMessage {
  if (typeof message.content === 'string') return { role: message.role, content: message.content };
  const text = message.content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('\n');
  const images = message.content.flatMap((part) => (part.type === 'image_url' ? [part.image_url.url] : []));
  return { role: message.role, content: text, ...(images.length > 0 && { images }) };
}

/** The log of what arrived in content parts: each part's type, an image's media type and size. */
function describeParts(role: ChatMessage['role'], content: WireContent): RecordedContentPart[] {
  if (typeof content === 'string') return [];
  return content.map((part) => {
    if (part.type === 'text') return { role, type: 'text', chars: part.text.length };
    const data = /^data:([^;,]+);base64,(.*)$/s.exec(part.image_url.url);
    return {
      role,
      type: 'image_url',
      mediaType: data?.[1] ?? null,
      bytes: data ? Buffer.from(data[2] ?? '', 'base64').length : null,
    };
  });
}

/** How many results the `openrouter:web_search` tool asks for (OpenRouter's default is 5); 0 without it. */
function webSearchResultsOf(tools: { type: string; parameters?: Record<string, unknown> | undefined }[] | undefined) {
  const tool = tools?.find((t) => t.type === 'openrouter:web_search');
  if (!tool) return 0;
  const asked = tool.parameters?.['max_results'];
  return typeof asked === 'number' && Number.isInteger(asked) && asked > 0 ? Math.min(asked, 10) : 5;
}
