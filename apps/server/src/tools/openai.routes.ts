import { randomUUID } from 'node:crypto';
import type { AppRouter } from '@llm-council/api';
import {
  consultCouncil,
  CouncilProgress,
  listAskableCouncils,
  type AskableCouncil,
  type ConsultResult,
} from '@llm-council/mcp';
import express, { type NextFunction, type Request, type Response } from 'express';
import { describeClient, type ContextDeps } from '../create-context.js';
import { COUNCIL_MODEL_ID, InvalidRequest, parseChatRequest, type CouncilRequest } from './openai-request.js';
import { errorBody, sendOpenAiError, toOpenAiError, type OpenAiError } from './openai-errors.js';
import { checkAccessToken, createTokenClient, type TokenCheck } from './token-access.js';

type Authorized = Extract<TokenCheck, { ok: true }>;

/**
 * An OpenAI-compatible API at /v1 for tools that speak it (Open WebUI, LibreChat, the `openai`
 * SDK): the model `council` is the user's default council, `council/<slug>` one of their saved
 * councils (or the operator's); the reply is the answer the run stands on (the chairman's
 * synthesis, or in a ranked or answers-only council the top-ranked or first answer) and, while the
 * council works, its progress streams as `delta.reasoning`. The API key is a
 * personal access token with the `council` scope. Every call is a stored conversation marked
 * `openai`, under the user's limits and budgets.
 */
export function openAiRoutes(deps: ContextDeps, router: AppRouter): express.Router {
  const routes = express.Router();
  const startedAt = Math.floor(Date.now() / 1000);
  // The key is checked before the body is read: a bad key is a 401 whatever it sends.
  routes.use(async (req, res, next) => {
    const check = await checkAccessToken(deps, req);
    if (!check.ok) {
      return sendOpenAiError(res, {
        status: check.status,
        message: check.message,
        code: check.reason === 'invalid' ? 'invalid_api_key' : check.reason,
        retryAfterSeconds: check.retryAfterSeconds,
      });
    }
    res.locals['token'] = check;
    next();
  });
  routes.use(express.json({ limit: deps.config.maxBodyBytes }));

  // `council` (the user's default council) and `council/<slug>` per saved council they may ask.
  routes.get('/models', async (req, res) => {
    const { bearer } = res.locals['token'] as Authorized;
    const client = createTokenClient(deps, router, describeClient(req), bearer);
    let councils: AskableCouncil[];
    try {
      councils = await listAskableCouncils(client);
    } catch (error) {
      return sendOpenAiError(res, toOpenAiError(error));
    }
    const model = (id: string) => ({ id, object: 'model', created: startedAt, owned_by: 'llm-council' });
    res.json({
      object: 'list',
      data: [model(COUNCIL_MODEL_ID), ...councils.map((c) => model(`${COUNCIL_MODEL_ID}/${c.slug}`))],
    });
  });

  routes.post('/chat/completions', async (req, res) => {
    let request: CouncilRequest;
    try {
      request = parseChatRequest(req.body);
    } catch (error) {
      if (!(error instanceof InvalidRequest)) throw error;
      return sendOpenAiError(res, { status: 400, message: error.message, param: error.param });
    }
    const { bearer } = res.locals['token'] as Authorized;
    const client = createTokenClient(deps, router, describeClient(req), bearer);
    let councilId: string | undefined;
    if (request.model !== COUNCIL_MODEL_ID) {
      const slug = request.model.startsWith(`${COUNCIL_MODEL_ID}/`)
        ? request.model.slice(COUNCIL_MODEL_ID.length + 1)
        : null;
      let councils: AskableCouncil[] = [];
      try {
        if (slug !== null) councils = await listAskableCouncils(client);
      } catch (error) {
        return sendOpenAiError(res, toOpenAiError(error));
      }
      const council = councils.find((c) => c.slug === slug);
      if (!council) {
        const offered = [COUNCIL_MODEL_ID, ...councils.map((c) => `${COUNCIL_MODEL_ID}/${c.slug}`)];
        return sendOpenAiError(res, {
          status: 404,
          message:
            `The model "${request.model.slice(0, 200)}" does not exist; ` +
            (slug === null
              ? `models are "${COUNCIL_MODEL_ID}" and "${COUNCIL_MODEL_ID}/<saved council>" (GET /v1/models lists them)`
              : `this server offers ${offered.map((id) => `"${id}"`).join(', ')}`),
          param: 'model',
          code: 'model_not_found',
        });
      }
      councilId = council.id;
    }
    await completeChat(res, request, councilId, client, deps);
  });

  routes.use((_req, res) =>
    sendOpenAiError(res, { status: 404, message: 'Unknown endpoint', type: 'not_found_error' }),
  );
  routes.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const { status, type } = (error ?? {}) as { status?: number; type?: string };
    if (type === 'entity.parse.failed')
      return sendOpenAiError(res, { status: 400, message: 'The body is not valid JSON' });
    if (status === 413) return sendOpenAiError(res, { status: 413, message: 'The request is too large' });
    deps.logger.error({ err: error }, 'openai endpoint failed');
    if (!res.headersSent) sendOpenAiError(res, { status: 500, message: 'Something went wrong on our side' });
    else res.end();
  });
  return routes;
}

/**
 * Runs the council for one request and answers it, whole or as `chat.completion.chunk` events.
 * A client that hangs up cancels the run.
 */
async function completeChat(
  res: Response,
  request: CouncilRequest,
  councilId: string | undefined,
  client: ReturnType<typeof createTokenClient>,
  deps: ContextDeps,
): Promise<void> {
  const hangUp = new AbortController();
  res.on('close', () => {
    if (!res.writableEnded) hangUp.abort();
  });
  const reply = new ChatReply(res, request);
  const progress = new CouncilProgress();
  try {
    const result = await consultCouncil(
      client,
      {
        question: request.question,
        history: request.history,
        source: 'openai',
        ...(councilId !== undefined ? { councilId } : {}),
        ...(request.instructions !== undefined ? { instructions: request.instructions } : {}),
      },
      {
        signal: hangUp.signal,
        onEvent: (event) => {
          const step = progress.apply(event);
          if (step) reply.reasoning(`${step.message}\n`);
          if (event.type === 'model_delta' && event.stage === 'stage3') reply.content(event.text);
        },
      },
    );
    if (hangUp.signal.aborted) return;
    if (result.status !== 'completed' || result.answer === null) return reply.fail(failureOf(result));
    reply.finish(result);
  } catch (error) {
    const failure = toOpenAiError(error);
    if (failure.status >= 500) deps.logger.error({ err: error }, 'chat completion failed');
    if (!hangUp.signal.aborted) reply.fail(failure);
  }
}

function failureOf(result: ConsultResult): OpenAiError {
  const message =
    result.status === 'failed' && result.error
      ? `The council failed (${result.error.stage}): ${result.error.message}`
      : `The council run was ${result.status}`;
  return {
    status: 502,
    message,
    type: 'server_error',
    param: null,
    code: result.error?.code ?? result.status,
    retryAfterSeconds: null,
  };
}

/** One reply, whole (JSON once the run ends) or streamed (SSE chunks from the first event on). */
class ChatReply {
  private readonly id = `chatcmpl-${randomUUID()}`;
  private readonly created = Math.floor(Date.now() / 1000);
  private hasStarted = false;
  private hasContent = false;
  private readonly reasoningText: string[] = [];

  constructor(
    private readonly res: Response,
    private readonly request: CouncilRequest,
  ) {}

  reasoning(text: string): void {
    this.reasoningText.push(text);
    this.chunk({ reasoning: text });
  }

  content(text: string): void {
    this.hasContent = true;
    this.chunk({ content: text });
  }

  finish(result: ConsultResult): void {
    const usage = {
      prompt_tokens: result.usage.promptTokens,
      completion_tokens: result.usage.completionTokens,
      total_tokens: result.usage.totalTokens,
      ...(result.usage.cost !== null ? { cost: result.usage.cost } : {}),
    };
    if (!this.request.stream) {
      this.res.json({
        ...this.envelope('chat.completion'),
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: result.answer, reasoning: this.reasoningText.join('') },
            finish_reason: 'stop',
            logprobs: null,
          },
        ],
        usage,
      });
      return;
    }
    // A ranked or answers-only run has no synthesis to stream: its answer comes whole at the end.
    if (!this.hasContent && result.answer !== null) this.content(result.answer);
    this.chunk({}, 'stop');
    if (this.request.includeUsage) this.write({ ...this.envelope('chat.completion.chunk'), choices: [], usage });
    this.res.end('data: [DONE]\n\n');
  }

  fail(error: OpenAiError): void {
    if (!this.hasStarted) return sendOpenAiError(this.res, error);
    // Mid-stream the status is already sent: the error goes as an event, as OpenAI does.
    this.write({ error: errorBody(error) });
    this.res.end('data: [DONE]\n\n');
  }

  private chunk(delta: Record<string, string>, finishReason: string | null = null): void {
    if (!this.request.stream) return;
    if (!this.hasStarted) {
      this.hasStarted = true;
      this.res.status(200);
      this.res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
      this.res.setHeader('Cache-Control', 'no-cache');
      this.res.setHeader('X-Accel-Buffering', 'no');
      this.res.flushHeaders();
      delta = { role: 'assistant', ...delta };
    }
    this.write({
      ...this.envelope('chat.completion.chunk'),
      choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
    });
  }

  private write(payload: unknown): void {
    this.res.write(`data: ${JSON.stringify(payload)}\n\n`);
  }

  private envelope(object: string) {
    return { id: this.id, object, created: this.created, model: this.request.model };
  }
}
