import { randomUUID } from 'node:crypto';
import { appRouter, describeError, systemClock, withEventStreamSettings, type Context } from '@llm-council/api';
import type { TRPCError } from '@trpc/server';
import { createExpressMiddleware } from '@trpc/server/adapters/express';
import { MAX_BATCH_SIZE } from '@llm-council/api/constants';
import cookieParser from 'cookie-parser';
import cors from 'cors';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import { listPendingMigrations } from '@llm-council/db';
import { sql } from 'kysely';
import { createContextFactory, type ContextDeps } from './create-context.js';
import { guardBodies } from './body-limits.js';
import { recordCsrfRefusals, requireJsonPosts } from './http-guards.js';
import { mcpRoutes } from './tools/mcp.routes.js';
import { attachmentRoutes } from './attachments.routes.js';
import { serveWebClient } from './web-client.js';
import { openAiRoutes } from './tools/openai.routes.js';

/** Room for the request's own JSON around an imported document. */
const IMPORT_ENVELOPE_BYTES = 64 * 1024;

/** Builds the Express application: security middleware, tRPC at /trpc, health check, web client. */
export function createApp(deps: ContextDeps): express.Express {
  const { config, logger } = deps;
  const app = express();
  app.disable('x-powered-by');
  // Never trust X-Forwarded-For unless the operator says a proxy sets it (else rate limits are spoofable).
  app.set('trust proxy', config.trustProxy);
  if (!config.trustProxy) app.use(warnOnceAboutForwardedFor(logger));

  app.use((req, res, next) => {
    const requestId = randomUUID();
    res.locals['requestId'] = requestId;
    res.setHeader('X-Request-Id', requestId);
    const startedAt = performance.now();
    res.on('finish', () => {
      // The path only: query strings can carry tRPC inputs.
      logger.info(
        {
          requestId,
          method: req.method,
          path: req.path,
          status: res.statusCode,
          ms: Math.round(performance.now() - startedAt),
        },
        'request',
      );
    });
    next();
  });

  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: true,
        directives: {
          'default-src': ["'self'"],
          'base-uri': ["'none'"],
          'frame-ancestors': ["'none'"],
          'img-src': ["'self'", 'data:'],
          'object-src': ["'none'"],
          'style-src': ["'self'"],
          'font-src': ["'self'"],
          'upgrade-insecure-requests': config.api.isProduction ? [] : null,
        },
      },
      strictTransportSecurity: config.api.isProduction,
    }),
  );

  // An exact allowlist: the Origin is compared, never reflected; `null` is never allowed.
  const allowedOrigins = new Set(config.api.corsOrigins);
  const allowOrigins = cors({
    origin: (origin, callback) => callback(null, origin !== undefined && allowedOrigins.has(origin)),
    credentials: true,
    maxAge: 600,
  });
  // The token-only endpoints are for programs, not pages: no origin is allowed to read them.
  app.use((req, res, next) => (isTokenOnlyPath(req.path) ? next() : allowOrigins(req, res, next)));

  // Liveness: the process answers. A load balancer restarts a host only when this fails.
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Readiness: send traffic here only while this answers 200 (see docs/operating.md, "Operating it").
  const migrationState = { isCurrent: false };
  app.get('/readyz', async (_req, res) => {
    const failing = await findFailingReadinessCheck(deps, migrationState);
    if (failing) res.status(503).json({ status: 'unavailable', failing });
    else res.json({ status: 'ready' });
  });
  // In production, a request must name this app's host (APP_URL): a foreign Host header means DNS
  // rebinding or a misrouted proxy. Health checks are exempt (load balancers probe by address).
  if (config.requiredHost) app.use(requireAppHost(config.requiredHost));
  else if (config.api.isProduction)
    logger.warn(
      {},
      'APP_URL is not set: the Host header is not checked, so DNS rebinding or a misrouted proxy reaches this server',
    );

  // A host that is shutting down takes no new work; clients retry on another host.
  app.use((_req, res, next) => {
    if (!deps.isShuttingDown()) return next();
    res.setHeader('Retry-After', '1');
    res.setHeader('Connection', 'close');
    res.status(503).json({ error: { message: 'This server is shutting down. Please try again.' } });
  });

  const router = withEventStreamSettings(appRouter, config.api.streams);
  app.use('/v1', openAiRoutes(deps, router));
  app.use('/mcp', mcpRoutes(deps, router));
  app.use('/api/attachments', attachmentRoutes(deps));

  const trpcOptions = {
    router,
    createContext: createContextFactory(deps),
    maxBatchSize: MAX_BATCH_SIZE,
    // Queries may also come as a POST with a JSON body (the SDK sends maths.render so: its TeX does
    // not fit in a URL). Mutations stay POST-only, and a POST must be application/json (requireJsonPosts).
    allowMethodOverride: true,
    // The one place a rate limit's wait becomes the standard header (the API only reports it).
    responseMeta: ({ errors }: { errors: TRPCError[] }) => {
      const retryAfter = errors.map((error) => describeError(error).retryAfterSeconds).find((s) => s !== null);
      return retryAfter ? { headers: { 'Retry-After': String(retryAfter) } } : {};
    },
    onError: ({ error, path, ctx }: { error: TRPCError; path: string | undefined; ctx?: Context | undefined }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR') {
        logger.error({ err: error.cause ?? error, path, requestId: ctx?.req.requestId }, 'procedure failed');
      }
    },
  };
  // An import carries a whole file: its request alone may be as large as IMPORT_MAX_BYTES (plus
  // the JSON envelope); the procedure measures the document itself and answers 413 past the limit.
  // Any other procedure in the same batch brings the limit back down (guardBodies).
  const bodyLimits = {
    defaultBytes: config.maxBodyBytes,
    larger: { 'conversations.import': config.api.importMaxBytes + IMPORT_ENVELOPE_BYTES },
  };
  const handleTrpc = createExpressMiddleware({ ...trpcOptions, maxBodySize: config.maxBodyBytes });
  const handleLargeBody = createExpressMiddleware({
    ...trpcOptions,
    maxBodySize: Math.max(...Object.values(bodyLimits.larger)),
  });
  const refuseNonJson = requireJsonPosts(recordCsrfRefusals({ db: deps.db, logger, now: deps.now ?? systemClock }));
  const guard = guardBodies({ limits: bodyLimits, createContext: trpcOptions.createContext });
  app.use('/trpc', refuseNonJson, cookieParser(), guard, (req, res, next) => {
    const isLarge = (res.locals['bodyLimit'] as number) > config.maxBodyBytes;
    return (isLarge ? handleLargeBody : handleTrpc)(req, res, next);
  });

  serveWebClient(app, config.webDistDir);

  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const requestId = res.locals['requestId'] as string;
    logger.error({ err: error, requestId }, 'unhandled error');
    if (!res.headersSent) res.status(500).json({ error: { message: 'Something went wrong', requestId } });
  });
  return app;
}

/** The MCP and OpenAI-compatible endpoints: personal access tokens only, never cookies or CORS. */
function isTokenOnlyPath(path: string): boolean {
  return /^\/(v1|mcp)(\/|$)/.test(path);
}

function requireAppHost(expectedHost: string) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.headers.host?.toLowerCase() === expectedHost) return next();
    res.status(421).json({ error: { message: `This server answers only for ${expectedHost}` } });
  };
}

/**
 * Requests that carry X-Forwarded-For while no proxy is trusted mean a proxy stands in front of
 * the server unannounced: every client then shares the proxy's address in the per-IP limits.
 * Said once, at the first such request, not on every request.
 */
function warnOnceAboutForwardedFor(logger: ContextDeps['logger']) {
  let hasWarned = false;
  return (req: Request, _res: Response, next: NextFunction) => {
    if (!hasWarned && req.headers['x-forwarded-for'] !== undefined) {
      hasWarned = true;
      logger.warn(
        { remoteAddress: req.socket.remoteAddress },
        'requests carry X-Forwarded-For but TRUST_PROXY is unset: the header is ignored and per-IP limits see the proxy address; set TRUST_PROXY to the number of proxies or their addresses',
      );
    }
    next();
  };
}

/**
 * The first readiness check that fails, by name, or null when the host is ready. Migrations,
 * once current, stay current (the schema only moves forward), so they are read once.
 */
async function findFailingReadinessCheck(
  deps: ContextDeps,
  migrations: { isCurrent: boolean },
): Promise<string | null> {
  if (deps.isShuttingDown()) return 'shutting-down';
  const { dbHandle } = deps;
  try {
    await withTimeout(sql`select 1`.execute(deps.db), READINESS_TIMEOUT_MS);
  } catch (error) {
    deps.logger.warn({ err: error }, 'readiness: database unreachable');
    return dbHandle.engine === 'pglite' ? 'embedded-database' : 'database';
  }
  if (!migrations.isCurrent) {
    try {
      migrations.isCurrent = (await listPendingMigrations(deps.db)).length === 0;
    } catch (error) {
      deps.logger.warn({ err: error }, 'readiness: could not read the migration state');
    }
    if (!migrations.isCurrent) return 'migrations';
  }
  if (dbHandle.notifications && !dbHandle.notifications.isConnected) return 'listen';
  return null;
}

const READINESS_TIMEOUT_MS = 2_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}
