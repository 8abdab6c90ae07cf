import {
  admitUpload,
  describeError,
  findAttachmentForDownload,
  maxUploadBytes,
  requireScopedSession,
  uploadAttachment,
  type Context,
  type SignedInUser,
} from '@llm-council/api';
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import busboy from 'busboy';
import express, { type Request, type Response } from 'express';
import { createContextFactory, type ContextDeps } from './create-context.js';

/**
 * Attachments over plain HTTP, since a file is no JSON: `POST /api/attachments` takes one file
 * (multipart/form-data, field `file`) and answers `{ id, name, kind, mediaType, size, textChars }`;
 * `GET /api/attachments/:id` gives an attachment's bytes back to its owner (thumbnails, opening a
 * file). Both admit exactly the callers `council.start` admits: a session token or a
 * personal access token with the `council` scope, as `Authorization: Bearer`. A cross-site form
 * cannot set that header, so multipart needs no CSRF guard of its own here.
 */
export function attachmentRoutes(deps: ContextDeps): express.Router {
  const routes = express.Router();
  const createContext = createContextFactory(deps);

  routes.post('/', async (req, res) => {
    const ctx = createContext({ req, res });
    const session = await authorize(ctx, res);
    if (!session) return;
    try {
      // Before the body is read: a refused upload costs no parsing (Node drains what was sent).
      await admitUpload(ctx, session.userId);
    } catch (error) {
      return sendApiError(ctx, res, error);
    }
    let file: Awaited<ReturnType<typeof readOneFile>>;
    try {
      file = await readOneFile(req);
    } catch (error) {
      return sendError(res, 400, (error as Error).message);
    }
    try {
      const view = await uploadAttachment(ctx, session.userId, file);
      res.status(201).json(view);
    } catch (error) {
      sendApiError(ctx, res, error);
    }
  });

  routes.get('/:id', async (req, res) => {
    const ctx = createContext({ req, res });
    const session = await authorize(ctx, res);
    if (!session) return;
    const id = req.params['id'] ?? '';
    const found = isUuid(id) ? await findAttachmentForDownload(ctx.db, session.userId, id) : undefined;
    if (!found) return sendError(res, 404, 'Attachment not found');
    // The owner's own bytes, never run by the browser: the kind was read from the bytes (no SVG,
    // no HTML), nosniff keeps it so, and the sandbox policy covers a file opened in its own tab.
    res.setHeader('Content-Type', found.kind === 'text' ? 'text/plain; charset=utf-8' : found.mediaType);
    res.setHeader('Content-Disposition', `inline; filename*=UTF-8''${encodeURIComponent(found.name)}`);
    res.setHeader('Content-Security-Policy', "sandbox; default-src 'none'; img-src 'self' data:");
    res.setHeader('Cache-Control', 'private, max-age=3600');
    res.send(Buffer.from(found.data));
  });

  return routes;
}

async function authorize(ctx: Context, res: Response): Promise<SignedInUser | null> {
  try {
    return await requireScopedSession(ctx, 'council');
  } catch (error) {
    sendApiError(ctx, res, error);
    return null;
  }
}

function sendApiError(ctx: Context, res: Response, error: unknown): void {
  if (!(error instanceof TRPCError)) throw error;
  const described = describeError(error);
  if (described.retryAfterSeconds !== null) res.setHeader('Retry-After', String(described.retryAfterSeconds));
  res.status(getHTTPStatusCodeFromError(error)).json({
    error: { message: described.message, code: described.appCode, requestId: ctx.req.requestId },
  });
}

function sendError(res: Response, status: number, message: string): void {
  res.status(status).json({ error: { message } });
}

const isUuid = (value: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);

/**
 * Reads the one file of a multipart request (field `file`), streaming: it stops keeping bytes
 * past `maxUploadBytes` and says the file was cut, so an oversized upload costs no more memory
 * than the largest accepted file. Anything else in the form (more files, fields) is refused.
 */
function readOneFile(req: Request): Promise<{ name: string; bytes: Uint8Array; isTruncated: boolean }> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        // A few parts are read (so that a second file or a field is seen and refused), no more.
        limits: { files: 2, fields: 2, parts: 4, fileSize: maxUploadBytes, fieldNameSize: 100, fieldSize: 1024 },
        defParamCharset: 'utf8',
      });
    } catch {
      reject(new Error('Send the file as multipart/form-data, in a field named "file"'));
      return;
    }
    let found: Promise<{ name: string; bytes: Uint8Array; isTruncated: boolean }> | undefined;
    let problem: string | undefined;
    parser.on('file', (field, stream, info) => {
      if (field !== 'file' || found) {
        problem ??= found ? 'Send one file at a time' : 'Send one file, in a field named "file"';
        stream.resume();
        return;
      }
      found = new Promise((done, fail) => {
        const chunks: Buffer[] = [];
        let isTruncated = false;
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('limit', () => {
          isTruncated = true;
        });
        stream.on('error', fail);
        stream.on('close', () =>
          done({ name: info.filename ?? '', bytes: new Uint8Array(Buffer.concat(chunks)), isTruncated }),
        );
      });
    });
    const refuse = (message: string) => () => {
      problem ??= message;
    };
    parser.on('field', refuse('Send only the file, in a field named "file"'));
    parser.on('filesLimit', refuse('Send one file at a time'));
    parser.on('partsLimit', refuse('Send one file at a time'));
    parser.on('error', () => reject(new Error('The multipart body could not be read')));
    parser.on('close', () => {
      if (problem) return reject(new Error(problem));
      if (!found) return reject(new Error('Send the file in a multipart/form-data field named "file"'));
      found.then(resolve, () => reject(new Error('The upload was cut off')));
    });
    req.pipe(parser);
  });
}
