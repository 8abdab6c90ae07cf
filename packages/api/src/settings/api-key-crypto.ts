import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { EncryptionKey } from '../config.js';

const FORMAT_VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface KeyOwner {
  userId: string;
  provider: string;
}

/** The ciphertext is bound to its row: moved to another user or provider, it fails to decrypt. */
function additionalData(owner: KeyOwner): Buffer {
  return Buffer.from(`llm-council|${FORMAT_VERSION}|${owner.userId}|${owner.provider}`, 'utf8');
}

/** AES-256-GCM under the current key: `v1.<kid>.<base64url(iv ‖ ciphertext ‖ tag)>`. */
export function encryptApiKey(keys: readonly EncryptionKey[], plaintext: string, owner: KeyOwner): string {
  const [current] = keys;
  if (!current) throw new Error('no API key encryption key configured');
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', current.key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(additionalData(owner));
  const body = Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `${FORMAT_VERSION}.${current.kid}.${body.toString('base64url')}`;
}

export class ApiKeyUnreadableError extends Error {
  constructor(reason: string) {
    super(`stored API key cannot be decrypted: ${reason}`);
    this.name = 'ApiKeyUnreadableError';
  }
}

/** Decrypts with whichever configured key the ciphertext names; throws ApiKeyUnreadableError otherwise. */
export function decryptApiKey(keys: readonly EncryptionKey[], stored: string, owner: KeyOwner): string {
  const [version, kid, encoded, ...rest] = stored.split('.');
  if (version !== FORMAT_VERSION || !kid || !encoded || rest.length > 0)
    throw new ApiKeyUnreadableError('unknown format');
  const key = keys.find((k) => k.kid === kid);
  if (!key) throw new ApiKeyUnreadableError(`unknown key id ${kid}`);
  const body = Buffer.from(encoded, 'base64url');
  if (body.length < IV_BYTES + TAG_BYTES + 1) throw new ApiKeyUnreadableError('truncated');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.key, body.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(additionalData(owner));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    return Buffer.concat([
      decipher.update(body.subarray(IV_BYTES, body.length - TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    // GCM authentication failed: tampered, moved between rows, or the wrong key. No detail leaks.
    throw new ApiKeyUnreadableError('authentication failed');
  }
}

/** Whether the ciphertext is under the current key (rotation re-encrypts the others). */
export function isUnderCurrentKey(keys: readonly EncryptionKey[], stored: string): boolean {
  return stored.split('.')[1] === keys[0]?.kid;
}

/** The last 6 characters, shown as `…abc123` so users can tell keys apart. */
export function hintFor(apiKey: string): string {
  return `…${apiKey.slice(-6)}`;
}
