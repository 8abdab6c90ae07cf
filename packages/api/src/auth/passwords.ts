import argon2, { type HashOptions } from 'argon2';
import { appError } from '../errors.js';
import type { PasswordHashProfile } from '../config.js';
import { commonPasswords } from '../generated/common-passwords.data.js';

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;

const HASH_PROFILES = {
  // argon2id with the library's defaults (64 MiB, t=3, p=4): above OWASP's minimum.
  standard: { type: argon2.argon2id, memoryCost: 65_536, timeCost: 3, parallelism: 4 },
  // 1 MiB, one pass: about a millisecond, so tests that sign users up do not wait on argon2.
  // The host's loadConfig refuses it in production.
  'insecure-test': { type: argon2.argon2id, memoryCost: 1024, timeCost: 1, parallelism: 1 },
} as const satisfies Record<PasswordHashProfile, HashOptions>;

/** Hashes are CPU- and memory-heavy (~250 ms, 64 MiB); bound how many run at once. */
const MAX_CONCURRENT_HASHES = 4;
/** How long a client refused by a full queue is asked to wait: a full queue drains in seconds. */
const BUSY_RETRY_AFTER_SECONDS = 2;
let activeHashes = 0;
const waiting: (() => void)[] = [];
// One queue per process (the cores are the process's), so the bound is set once at start-up.
let maxWaiting = 32;
// Like the queue bound, the cost is the process's, set once at start-up (PASSWORD_HASH_PROFILE).
let hashOptions: (typeof HASH_PROFILES)[PasswordHashProfile] = HASH_PROFILES.standard;

/** Which argon2 cost new hashes get; verifying reads the cost from the stored hash. */
export function setPasswordHashProfile(profile: PasswordHashProfile): void {
  hashOptions = HASH_PROFILES[profile];
}

/**
 * Bounds the queue of hashes waiting for a slot (PASSWORD_HASH_QUEUE_MAX). Beyond it a request is
 * refused with 503 at once: a flood of sign-ins cannot make everyone else's wait without bound.
 */
export function setPasswordHashQueueMax(max: number): void {
  maxWaiting = max;
}

/** Hashes running and waiting now (tests watch the queue drain). */
export function passwordHashLoad(): { active: number; waiting: number } {
  return { active: activeHashes, waiting: waiting.length };
}

async function withHashSlot<T>(work: () => Promise<T>): Promise<T> {
  if (activeHashes >= MAX_CONCURRENT_HASHES) {
    if (waiting.length >= maxWaiting) {
      throw appError('SERVICE_UNAVAILABLE', 'SERVER_BUSY', 'The server is busy. Please try again in a moment.', {
        retryAfterSeconds: BUSY_RETRY_AFTER_SECONDS,
      });
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
  }
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
  return withHashSlot(() => argon2.hash(normalize(password), hashOptions));
}

export function verifyPassword(hash: string, password: string): Promise<boolean> {
  return withHashSlot(() => argon2.verify(hash, normalize(password)));
}

/** Whether a stored hash was made at another cost than the current profile's (it is upgraded at login). */
export function needsRehash(hash: string): boolean {
  return argon2.needsRehash(hash, hashOptions);
}

/** Returns why a new password is refused, or null. Length bounds are the schema's job. */
export function findPasswordWeakness(password: string): string | null {
  if (commonPasswords.has(password.toLowerCase())) {
    return 'This password is one of the most commonly used passwords; choose another';
  }
  return null;
}

// Made at the cost of the profile in force: a process whose profile changes (test files sharing
// one worker) must not equalise a standard-cost check against a cheap hash.
let dummyHash: { options: HashOptions; hash: Promise<string> } | undefined;

/**
 * Verifies against a throwaway hash so a login for an unknown email costs what a wrong password
 * costs: timing does not reveal which emails are registered.
 */
export async function burnPasswordCheck(password: string): Promise<void> {
  if (dummyHash?.options !== hashOptions) {
    const entry = { options: hashOptions, hash: hashPassword('llm-council-timing-equaliser') };
    dummyHash = entry;
    // A busy queue must not leave a rejected promise behind for every later unknown email.
    entry.hash.catch(() => {
      if (dummyHash === entry) dummyHash = undefined;
    });
  }
  await verifyPassword(await dummyHash.hash, password);
}
