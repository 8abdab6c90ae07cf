import { randomBytes } from 'node:crypto';
import type { Database } from '@llm-council/db';
import type { Kysely } from 'kysely';
import type { ApiConfig } from '../config.js';
import { DEFAULT_PROVIDER_ID, DEFAULT_TITLE } from '../constants.js';
import { hashPassword } from '../auth/passwords.js';
import { insertUser, type PublicUser } from '../auth/users.repository.js';
import { insertConversation } from '../conversations/conversations.repository.js';
import { encryptApiKey, hintFor } from '../settings/api-key-crypto.js';
import { upsertApiKey } from '../settings/api-keys.repository.js';

/*
 * Factories insert real rows through the repositories, skipping only what a test of another
 * feature does not need to pay for (registering through the router hashes a password: ~250 ms).
 */

export const TEST_PASSWORD = 'correct horse battery staple';

// One argon2 hash of TEST_PASSWORD per test file: every factory user can log in with it.
let testPasswordHash: Promise<string> | undefined;

let emailCounter = 0;

/** A unique, valid email address. */
export function uniqueEmail(prefix = 'user'): string {
  emailCounter += 1;
  return `${prefix}-${emailCounter}-${randomBytes(4).toString('hex')}@example.test`;
}

/** A user whose password is TEST_PASSWORD (or `password`), inserted without the sign-up flow. */
export async function createUser(
  db: Kysely<Database>,
  values: { email?: string; password?: string } = {},
): Promise<PublicUser> {
  testPasswordHash ??= hashPassword(TEST_PASSWORD);
  const passwordHash =
    values.password === undefined || values.password === TEST_PASSWORD
      ? await testPasswordHash
      : await hashPassword(values.password);
  const user = await insertUser(db, { email: values.email ?? uniqueEmail(), passwordHash });
  if (!user) throw new Error(`createUser: ${values.email} is already registered`);
  return user;
}

export async function createConversation(
  db: Kysely<Database>,
  userId: string,
  values: { title?: string; councilModels?: string[] | null; chairmanModel?: string | null } = {},
) {
  return insertConversation(db, {
    userId,
    title: values.title ?? DEFAULT_TITLE,
    councilModels: values.councilModels ?? null,
    chairmanModel: values.chairmanModel ?? null,
  });
}

/** Stores `apiKey` for the user, encrypted as the settings router would (without asking the provider). */
export async function saveApiKey(
  db: Kysely<Database>,
  config: Pick<ApiConfig, 'encryptionKeys'>,
  userId: string,
  apiKey: string,
  provider = DEFAULT_PROVIDER_ID,
): Promise<void> {
  const encryptedKey = encryptApiKey(config.encryptionKeys, apiKey, { userId, provider });
  await upsertApiKey(db, { userId, provider, encryptedKey, keyHint: hintFor(apiKey) }, new Date());
}

/** A key that looks like an OpenRouter key and is unique to the caller. */
export function newApiKey(): string {
  return `sk-or-v1-${randomBytes(16).toString('hex')}`;
}
