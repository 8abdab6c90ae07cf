import type { UpstreamResponse, UpstreamTransport } from './upstream.types.js';

/** The chat client's transport over `fetch` and web streams: works in any runtime. */
export function fetchTransport(doFetch: typeof fetch): UpstreamTransport {
  return {
    async post(url, { headers, body, signal }): Promise<UpstreamResponse> {
      const response = await doFetch(url, { method: 'POST', headers, body, signal });
      return {
        status: response.status,
        header: (name) => response.headers.get(name),
        text: (maxBytes) => readAtMost(response, maxBytes),
        read: (onBytes) => (response.body ? readWebStream(response.body, onBytes) : Promise.resolve()),
      };
    },
  };
}

/** Hands a web stream to `onBytes` chunk by chunk until it returns true or the stream ends. */
export async function readWebStream(
  body: ReadableStream<Uint8Array>,
  onBytes: (bytes: Uint8Array) => boolean,
): Promise<void> {
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || onBytes(value)) return;
    }
  } finally {
    // Stop downloading after [DONE] or an error; a failed cancel has nothing left to clean up.
    reader.cancel().catch(() => undefined);
  }
}

/**
 * The start of a body, at most `maxBytes`; the rest is not downloaded. A proxy's error page or a
 * hostile server can send megabytes (or never end) where a short JSON error was expected.
 */
async function readAtMost(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return '';
  const body: ReadableStream<Uint8Array> = response.body;
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  try {
    while (size < maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value.subarray(0, maxBytes - size), { stream: true });
      size += value.byteLength;
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
  return text + decoder.decode();
}
