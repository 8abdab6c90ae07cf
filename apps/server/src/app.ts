import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { appRouter, describeError } from '@llm-council/api';
import { createExpressMiddleware } from '@trpc/server/adapters/express';
import cookieParser from 'cookie-parser';
import cors from 'cors';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import { sql } from 'kysely';
import { createContextFactory, type ContextDeps } from './create-context.js';
import { requireJsonPosts } from './http-guards.js';

/** Builds the Express application: security middleware, tRPC at /trpc, health check, web client. */
export function createApp(deps: ContextDeps): express.Express {
  const { config, logger } = deps;
  const app = express();
  app.disable('x-powered-by');
  // Never trust X-Forwarded-For unless the operator says a proxy sets it (else rate limits are spoofable).
  app.set('trust proxy', config.trustProxy);

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
  app.use(
    cors({
      origin: (origin, callback) => callback(null, origin !== undefined && allowedOrigins.has(origin)),
      credentials: true,
      maxAge: 600,
    }),
  );

  app.get('/healthz', async (_req, res) => {
    try {
      await sql`select 1`.execute(deps.db);
      res.json({ status: 'ok', database: 'up' });
    } catch (error) {
      logger.error({ err: error }, 'health check failed');
      res.status(503).json({ status: 'unavailable', database: 'down' });
    }
  });

  app.use(
    '/trpc',
    requireJsonPosts,
    cookieParser(),
    createExpressMiddleware({
      router: appRouter,
      createContext: createContextFactory(deps),
      maxBodySize: config.maxBodyBytes,
      // The one place a rate limit's wait becomes the standard header (the API only reports it).
      responseMeta: ({ errors }) => {
        const retryAfter = errors.map((error) => describeError(error).retryAfterSeconds).find((s) => s !== null);
        return retryAfter ? { headers: { 'Retry-After': String(retryAfter) } } : {};
      },
      onError: ({ error, path, ctx }) => {
        if (error.code === 'INTERNAL_SERVER_ERROR') {
          logger.error({ err: error.cause ?? error, path, requestId: ctx?.req.requestId }, 'procedure failed');
        }
      },
    }),
  );

  serveWebClient(app, config.webDistDir);

  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const requestId = res.locals['requestId'] as string;
    logger.error({ err: error, requestId }, 'unhandled error');
    if (!res.headersSent) res.status(500).json({ error: { message: 'Something went wrong', requestId } });
  });
  return app;
}

function serveWebClient(app: express.Express, distDir: string): void {
  const indexHtml = join(distDir, 'index.html');
  if (!existsSync(indexHtml)) {
    app.get('/', (_req, res) => {
      res.type('text/plain').send('LLM Council API is running. Build the web client (pnpm build) to serve it here.');
    });
    return;
  }
  app.use(express.static(distDir, { index: false, maxAge: '1h' }));
  // Client-side routes: everything that is not an API path gets the app shell.
  app.get(/^(?!\/trpc|\/healthz).*/, (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(indexHtml);
  });
}
