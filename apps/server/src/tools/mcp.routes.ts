import { randomUUID } from 'node:crypto';
import type { AppRouter } from '@llm-council/api';
import { createCouncilMcpServer } from '@llm-council/mcp';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import express, { type Request, type Response } from 'express';
import { describeClient, type ContextDeps } from '../create-context.js';
import { checkAccessToken, createTokenClient, type TokenCheck } from './token-access.js';

type Authorized = Extract<TokenCheck, { ok: true }>;

interface McpSession {
  transport: StreamableHTTPServerTransport;
  userId: string;
  tokenId: string;
  lastSeenAt: number;
}

/** Open MCP sessions per user on this host; the oldest is closed to make room. */
const MAX_SESSIONS_PER_USER = 10;
/** A session nobody used for this long is closed when the next one opens. */
const SESSION_IDLE_MS = 60 * 60 * 1000;
const SERVER_VERSION = '0.1.0';

/**
 * The MCP endpoint (Streamable HTTP) at /mcp. Stateful: a session keeps the in-flight tool calls
 * it started, so a client's cancellation (a notification sent in a request of its own) reaches
 * the call and cancels the run. Every request must carry the token that opened the session,
 * checked again before any MCP message is read: a bad or revoked token is a plain HTTP 401.
 * Sessions live on the host that opened them (behind a load balancer, route /mcp sticky by the
 * `Mcp-Session-Id` header).
 */
export function mcpRoutes(deps: ContextDeps, router: AppRouter): express.Router {
  const sessions = new Map<string, McpSession>();
  const routes = express.Router();

  routes.use(async (req, res, next) => {
    const check = await checkAccessToken(deps, req);
    if (!check.ok) {
      if (check.status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
      if (check.retryAfterSeconds !== null) res.setHeader('Retry-After', String(check.retryAfterSeconds));
      res.status(check.status).json({ error: { message: check.message } });
      return;
    }
    res.locals['token'] = check;
    next();
  });
  routes.use(express.json({ limit: deps.config.maxBodyBytes }));

  routes.post('/', async (req, res) => {
    const token = res.locals['token'] as Authorized;
    const sessionId = req.header('mcp-session-id');
    if (sessionId) return serve(sessions, sessionId, token, req, res);
    if (!isInitializeRequest(req.body)) {
      return sendRpcError(res, 400, -32000, 'No MCP session: send an initialize request first');
    }
    closeStale(sessions, token.token.userId);
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, {
          transport,
          userId: token.token.userId,
          tokenId: token.token.tokenId,
          lastSeenAt: Date.now(),
        });
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    const client = createTokenClient(deps, router, describeClient(req), token.bearer);
    await createCouncilMcpServer(client, SERVER_VERSION).connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
  // The server-to-client stream (GET) and the end of a session (DELETE).
  routes.get('/', (req, res) =>
    serve(sessions, req.header('mcp-session-id'), res.locals['token'] as Authorized, req, res),
  );
  routes.delete('/', (req, res) =>
    serve(sessions, req.header('mcp-session-id'), res.locals['token'] as Authorized, req, res),
  );
  return routes;
}

async function serve(
  sessions: Map<string, McpSession>,
  sessionId: string | undefined,
  token: Authorized,
  req: Request,
  res: Response,
): Promise<void> {
  const session = sessionId ? sessions.get(sessionId) : undefined;
  // Another token's session is as unknown as a missing one.
  if (!session || session.tokenId !== token.token.tokenId) {
    return sendRpcError(res, 404, -32001, 'Session not found: initialize a new one');
  }
  session.lastSeenAt = Date.now();
  await session.transport.handleRequest(req, res, req.body);
}

/** Makes room for a new session of `userId`: idle sessions go, then the user's oldest beyond the cap. */
function closeStale(sessions: Map<string, McpSession>, userId: string): void {
  const now = Date.now();
  const mine: [string, McpSession][] = [];
  for (const [id, session] of sessions) {
    if (now - session.lastSeenAt > SESSION_IDLE_MS) void session.transport.close();
    else if (session.userId === userId) mine.push([id, session]);
  }
  mine.sort((a, b) => a[1].lastSeenAt - b[1].lastSeenAt);
  for (const [, session] of mine.slice(0, Math.max(0, mine.length - MAX_SESSIONS_PER_USER + 1))) {
    void session.transport.close();
  }
}

function sendRpcError(res: Response, status: number, code: number, message: string): void {
  res.status(status).json({ jsonrpc: '2.0', error: { code, message }, id: null });
}
