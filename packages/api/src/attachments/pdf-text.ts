import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/** What reading a PDF's text gave: its text, or why there is none (said to the user as is). */
export type PdfText = { ok: true; text: string; pages: number } | { ok: false; reason: string };

// The worker's own code: PDF.js (the legacy build, which runs on Node 20) reads at most
// `maxPages` pages and posts back their text, or the kind of failure. A data: URL would lose the
// module resolution, so PDF.js is imported by its resolved file URL.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const pdfjs = await import(workerData.pdfjsUrl);
  let doc;
  try {
    doc = await pdfjs.getDocument({
      data: workerData.bytes,
      isEvalSupported: false,
      disableFontFace: true,
      useSystemFonts: false,
      stopAtErrors: false,
      verbosity: 0,
    }).promise;
  } catch (error) {
    const name = error && error.name;
    parentPort.postMessage({ ok: false, failure: name === 'PasswordException' ? 'encrypted' : 'broken' });
    return;
  }
  if (doc.numPages > workerData.maxPages) {
    parentPort.postMessage({ ok: false, failure: 'too-many-pages', pages: doc.numPages });
    return;
  }
  const pages = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const page = await doc.getPage(i);
    const content = await page.getTextContent();
    pages.push(content.items.map((item) => (item.str || '') + (item.hasEOL ? '\\n' : ' ')).join(''));
  }
  await doc.destroy();
  parentPort.postMessage({ ok: true, text: pages.join('\\n\\n'), pages: doc.numPages });
})().catch(() => parentPort.postMessage({ ok: false, failure: 'broken' }));
`;

// Resolved at the first PDF (from this module, or from the server's bundle, which lists PDF.js too).
let pdfjsUrl: string | undefined;
const resolvePdfjs = () =>
  (pdfjsUrl ??= pathToFileURL(createRequire(import.meta.url).resolve('pdfjs-dist/legacy/build/pdf.mjs')).href);

/** PDFs read at once in this process; more wait (each read is a thread with its own heap). */
const MAX_PARALLEL = 2;
let running = 0;
const waiting: (() => void)[] = [];

/**
 * Extracts a PDF's text in a worker thread, so a hostile or huge PDF cannot stall the server:
 * the worker is ended at `timeoutMs`, its heap is capped, and a PDF of more than `maxPages` pages is
 * refused. Encrypted, broken and image-only PDFs (no text at all) say so.
 */
export async function extractPdfText(
  bytes: Uint8Array,
  limits: { maxPages: number; timeoutMs: number },
): Promise<PdfText> {
  if (running >= MAX_PARALLEL) await new Promise<void>((resolve) => waiting.push(resolve));
  running += 1;
  try {
    return await readInWorker(bytes, limits);
  } finally {
    running -= 1;
    waiting.shift()?.();
  }
}

function readInWorker(bytes: Uint8Array, limits: { maxPages: number; timeoutMs: number }): Promise<PdfText> {
  return new Promise((resolve) => {
    const worker = new Worker(workerSource, {
      eval: true,
      workerData: { bytes, pdfjsUrl: resolvePdfjs(), maxPages: limits.maxPages },
      resourceLimits: { maxOldGenerationSizeMb: 256 },
    });
    let isDone = false;
    const done = (result: PdfText) => {
      if (isDone) return;
      isDone = true;
      clearTimeout(timer);
      resolve(result);
      void worker.terminate();
    };
    const timer = setTimeout(
      () => done({ ok: false, reason: `reading its text took longer than ${limits.timeoutMs / 1000} seconds` }),
      limits.timeoutMs,
    );
    worker.once('message', (message: { ok: boolean; text?: string; pages?: number; failure?: string }) => {
      if (message.ok) {
        const text = (message.text ?? '').replaceAll('\u0000', '').trim();
        if (text === '') done({ ok: false, reason: 'it has no text to read (a scanned or image-only PDF)' });
        else done({ ok: true, text, pages: message.pages ?? 0 });
        return;
      }
      done({ ok: false, reason: failureReasons(message.failure, message.pages, limits.maxPages) });
    });
    worker.once('error', () => done({ ok: false, reason: 'it could not be read as a PDF (broken or unsupported)' }));
    worker.once('exit', () => done({ ok: false, reason: 'it could not be read as a PDF (broken or unsupported)' }));
  });
}

function failureReasons(failure: string | undefined, pages: number | undefined, maxPages: number): string {
  if (failure === 'encrypted') return 'it is encrypted (password-protected); save an unprotected copy';
  if (failure === 'too-many-pages') return `it has ${pages ?? 'too many'} pages; at most ${maxPages} are read`;
  return 'it could not be read as a PDF (broken or unsupported)';
}
