import type { Kysely } from 'kysely';
import type { Database } from '@llm-council/db';
import type { ApiConfig, ProviderConfig } from '../config.js';
import { appError } from '../errors.js';
import { mayUseServerKey } from '../spend/spend.service.js';
import { ApiKeyUnreadableError, decryptApiKey, encryptApiKey, isUnderCurrentKey } from './api-key-crypto.js';
import { findEncryptedApiKey, listAllEncryptedKeys, replaceEncryptedKey } from './api-keys.repository.js';

export interface ResolvedApiKey {
  apiKey: string;
  source: 'user' | 'server';
}

/**
 * The key a council run uses: the user's own for the provider, else the operator's fallback if
 * the operator lets this user spend it (SERVER_KEY_USERS or their per-user flag), else NO_API_KEY — decided before any upstream call. A stored key that no longer decrypts is
 * reported as such (never sent upstream as garbage, never a 500).
 */
export async function resolveApiKey(
  deps: { db: Kysely<Database>; config: ApiConfig },
  userId: string,
  provider: ProviderConfig,
): Promise<ResolvedApiKey> {
  const stored = await findEncryptedApiKey(deps.db, userId, provider.id);
  if (stored) {
    try {
      return {
        apiKey: decryptApiKey(deps.config.encryptionKeys, stored, { userId, provider: provider.id }),
        source: 'user',
      };
    } catch (error) {
      if (!(error instanceof ApiKeyUnreadableError)) throw error;
      throw appError(
        'PRECONDITION_FAILED',
        'API_KEY_UNREADABLE',
        `Your saved ${provider.label} key can no longer be read. Please re-enter your key in Settings.`,
      );
    }
  }
  if (provider.fallbackApiKey && (await mayUseServerKey(deps, userId))) {
    return { apiKey: provider.fallbackApiKey, source: 'server' };
  }
  throw appError(
    'PRECONDITION_FAILED',
    'NO_API_KEY',
    provider.fallbackApiKey
      ? `No ${provider.label} API key: this server's key is not available to your account, so add yours in Settings.`
      : `No ${provider.label} API key: add yours in Settings before asking the council.`,
  );
}

/**
 * Re-encrypts every stored key under the current encryption key. Rows that do not decrypt are
 * counted and left alone (their owners are asked to re-enter them).
 */
export async function reencryptAllApiKeys(
  db: Kysely<Database>,
  config: Pick<ApiConfig, 'encryptionKeys'>,
): Promise<{ reencrypted: number; alreadyCurrent: number; unreadable: number }> {
  const outcome = { reencrypted: 0, alreadyCurrent: 0, unreadable: 0 };
  for (const row of await listAllEncryptedKeys(db)) {
    if (isUnderCurrentKey(config.encryptionKeys, row.encryptedKey)) {
      outcome.alreadyCurrent++;
      continue;
    }
    const owner = { userId: row.userId, provider: row.provider };
    let plaintext: string;
    try {
      plaintext = decryptApiKey(config.encryptionKeys, row.encryptedKey, owner);
    } catch (error) {
      if (!(error instanceof ApiKeyUnreadableError)) throw error;
      outcome.unreadable++;
      continue;
    }
    const next = encryptApiKey(config.encryptionKeys, plaintext, owner);
    if (await replaceEncryptedKey(db, row.id, row.encryptedKey, next)) outcome.reencrypted++;
  }
  return outcome;
}
