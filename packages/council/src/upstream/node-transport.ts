import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { UpstreamResponse, UpstreamTransport } from './upstream.types.js';

/**
 * The chat client's transport on the server: `node:http(s)` with its keep-alive agent, the body
 * handed over as the socket delivers it. `fetch` wraps every chunk in a web stream and a promise;
 * a run reads thousands of chunks, and this was the event loop's largest own cost (issue 21 §3).
 */
export const nodeTransport: UpstreamTransport = {
  post(url, { headers, body, signal }) {
    return new Promise<UpstreamResponse>((resolve, reject) => {
      /** Whoever waits on this call now: the response, then a reader of its body. */
      let fail: (err: unknown) => void = reject;
      if (signal.aborted) {
        // The signal's reason is what the client classifies the failure by (often an UpstreamError).
        fail(signal.reason);
        return;
      }
      const target = new URL(url);
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
      const request = send(target, {
        method: 'POST',
        headers: { ...headers, 'Content-Length': Buffer.byteLength(body) },
      });
      let response: IncomingMessage | undefined;
      const onAbort = (): void => {
        fail(signal.reason);
        request.destroy();
        response?.destroy();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const done = (): void => signal.removeEventListener('abort', onAbort);
      request.on('error', (err) => {
        done();
        fail(err);
      });
      request.on('response', (res) => {
        response = res;
        resolve({
          status: res.statusCode ?? 0,
          header: (name) => {
            const value = res.headers[name.toLowerCase()];
            return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
          },
          text: (maxBytes) =>
            new Promise<string>((resolveText, rejectText) => {
              fail = rejectText;
              readText(res, maxBytes, resolveText, rejectText, done);
            }),
          read: (onBytes) =>
            new Promise<void>((resolveRead, rejectRead) => {
              fail = rejectRead;
              readBytes(request, res, onBytes, resolveRead, rejectRead, done);
            }),
        });
      });
      request.end(body);
    });
  },
};

function readBytes(
  request: ClientRequest,
  res: IncomingMessage,
  onBytes: (bytes: Uint8Array) => boolean,
  resolve: () => void,
  reject: (err: unknown) => void,
  done: () => void,
): void {
  let isSettled = false;
  const settle = (err?: unknown): void => {
    if (isSettled) return;
    isSettled = true;
    done();
    res.off('data', onData);
    if (err === undefined) resolve();
    else reject(err);
  };
  const onData = (chunk: Buffer): void => {
    let hasEnough: boolean;
    try {
      hasEnough = onBytes(chunk);
    } catch (err) {
      settle(err);
      request.destroy();
      res.destroy();
      return;
    }
    if (!hasEnough) return;
    settle();
    // The end of the body usually follows [DONE] at once: drain it so the connection is reused,
    // but a server that keeps talking is cut off.
    res.resume();
    setImmediate(() => {
      if (!res.complete) res.destroy();
    });
  };
  res.on('data', onData);
  res.once('end', () => settle());
  res.on('error', (err) => settle(err));
  res.once('close', () => {
    if (!res.complete) settle(new Error('the upstream closed the stream'));
  });
}

function readText(
  res: IncomingMessage,
  maxBytes: number,
  resolve: (text: string) => void,
  reject: (err: unknown) => void,
  done: () => void,
): void {
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  let isSettled = false;
  const settle = (err?: unknown): void => {
    if (isSettled) return;
    isSettled = true;
    done();
    if (err === undefined) resolve(text + decoder.decode());
    else reject(err);
  };
  res.on('data', (chunk: Buffer) => {
    if (isSettled) return;
    text += decoder.decode(chunk.subarray(0, maxBytes - size), { stream: true });
    size += chunk.byteLength;
    if (size < maxBytes) return;
    settle();
    // The rest is not downloaded: a proxy's error page can be endless.
    res.destroy();
  });
  res.once('end', () => settle());
  res.on('error', (err) => settle(err));
  res.once('close', () => {
    if (!res.complete) settle(new Error('the upstream closed the stream'));
  });
}
