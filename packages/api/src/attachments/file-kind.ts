import type { AttachmentKind } from '../constants.js';

/** A file's kind and media type as its bytes say, or why it is none of the accepted kinds. */
export type SniffedFile = { kind: AttachmentKind; mediaType: string } | { kind: null; reason: string };

const startsWith = (bytes: Uint8Array, prefix: readonly number[], at = 0): boolean =>
  bytes.length >= at + prefix.length && prefix.every((byte, i) => bytes[at + i] === byte);
const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));

// Magic numbers: what each format's first bytes must be.
const signatures: { mediaType: string; kind: AttachmentKind; matches: (b: Uint8Array) => boolean }[] = [
  { kind: 'pdf', mediaType: 'application/pdf', matches: (b) => startsWith(b, ascii('%PDF-')) },
  {
    kind: 'image',
    mediaType: 'image/png',
    matches: (b) => startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  },
  { kind: 'image', mediaType: 'image/jpeg', matches: (b) => startsWith(b, [0xff, 0xd8, 0xff]) },
  {
    kind: 'image',
    mediaType: 'image/gif',
    matches: (b) => startsWith(b, ascii('GIF87a')) || startsWith(b, ascii('GIF89a')),
  },
  {
    kind: 'image',
    mediaType: 'image/webp',
    matches: (b) => startsWith(b, ascii('RIFF')) && startsWith(b, ascii('WEBP'), 8),
  },
];

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Reads what a file is from its bytes, never from its name or the type its sender claims: a
 * PDF, a PNG/JPEG/GIF/WebP image by its magic number, else text when the bytes are valid UTF-8
 * without NUL (a database text column cannot hold NUL, and NUL means binary anyway).
 */
export function sniffFile(bytes: Uint8Array): SniffedFile {
  const signature = signatures.find((s) => s.matches(bytes));
  if (signature) return { kind: signature.kind, mediaType: signature.mediaType };
  if (bytes.includes(0)) return { kind: null, reason: 'it is a binary file' };
  try {
    utf8.decode(bytes);
  } catch {
    return { kind: null, reason: 'it is neither UTF-8 text nor a PDF or image' };
  }
  return { kind: 'text', mediaType: 'text/plain' };
}

/** The text of a file `sniffFile` found to be text (a byte order mark dropped). */
export function decodeText(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}
