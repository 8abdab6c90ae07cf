import argon2 from 'argon2';
import { commonPasswords } from '../generated/common-passwords.data.js';

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;

// argon2id with the library's defaults (64 MiB, t=3, p=4): above OWASP's minimum.
const HASH_OPTIONS = { type: argon2.argon2id } as const;

/** Hashes are CPU- and memory-heavy (~250 ms, 64 MiB); bound how many run at once. */
const MAX_CONCURRENT_HASHES = 4;
let activeHashes = 0;
const waiting: (() => void)[] = [];

async function withHashSlot<T>(work: () => Promise<T>): Promise<T> {
  if (activeHashes >= MAX_CONCURRENT_HASHES) await new Promise<void>((resolve) => waiting.push(resolve));
  activeHashes++;
  try {
    return await work();
  } finally {
    activeHashes--;
    waiting.shift()?.();
  }
}

/** Passwords are compared exactly as typed, in Unicode NFC so one glyph typed two ways matches. */
function normalize(password: string): string {
  return password.normalize('NFC');
}

export function hashPassword(password: string): Promise<string> {
  return withHashSlot(() => argon2.hash(normalize(password), HASH_OPTIONS));
}

export function verifyPassword(hash: string, password: string): Promise<boolean> {
  return withHashSlot(() => argon2.verify(hash, normalize(password)));
}

export function needsRehash(hash: string): boolean {
  return argon2.needsRehash(hash);
}

/** Returns why a new password is refused, or null. Length bounds are the schema's job. */
export function findPasswordWeakness(password: string): string | null {
  if (commonPasswords.has(password.toLowerCase())) {
    return 'This password is one of the most commonly used passwords; choose another';
  }
  return null;
}

let dummyHash: Promise<string> | undefined;

/**
 * Verifies against a throwaway hash so a login for an unknown email costs what a wrong password
 * costs: timing does not reveal which emails are registered.
 */
export async function burnPasswordCheck(password: string): Promise<void> {
  dummyHash ??= hashPassword('llm-council-timing-equaliser');
  await verifyPassword(await dummyHash, password);
}
