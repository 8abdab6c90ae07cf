import { createHash, randomBytes } from 'node:crypto';

/** A fresh invite code: 128 random bits, URL-safe, shown once and stored only as its hash. */
export function newInviteCode(): string {
  return randomBytes(16).toString('base64url');
}

export function hashInviteCode(code: string): string {
  return createHash('sha256').update(code.trim()).digest('hex');
}
