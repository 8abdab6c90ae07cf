import type { Kysely } from 'kysely';
import type { Database } from '@llm-council/db';

type Db = Kysely<Database>;

export interface ApiKeySummary {
  provider: string;
  keyHint: string;
  createdAt: Date;
  updatedAt: Date;
}

const summaryColumns = ['provider', 'keyHint', 'createdAt', 'updatedAt'] as const;

export async function upsertApiKey(
  db: Db,
  values: { userId: string; provider: string; encryptedKey: string; keyHint: string },
  now: Date,
): Promise<ApiKeySummary> {
  return db
    .insertInto('userApiKeys')
    .values(values)
    .onConflict((oc) =>
      oc.columns(['userId', 'provider']).doUpdateSet({
        encryptedKey: values.encryptedKey,
        keyHint: values.keyHint,
        updatedAt: now,
      }),
    )
    .returning(summaryColumns)
    .executeTakeFirstOrThrow();
}

export async function listApiKeys(db: Db, userId: string): Promise<ApiKeySummary[]> {
  return db.selectFrom('userApiKeys').select(summaryColumns).where('userId', '=', userId).orderBy('provider').execute();
}

export async function findEncryptedApiKey(db: Db, userId: string, provider: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('userApiKeys')
    .select('encryptedKey')
    .where('userId', '=', userId)
    .where('provider', '=', provider)
    .executeTakeFirst();
  return row?.encryptedKey;
}

export async function deleteApiKey(db: Db, userId: string, provider: string): Promise<boolean> {
  const result = await db
    .deleteFrom('userApiKeys')
    .where('userId', '=', userId)
    .where('provider', '=', provider)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Every stored key, for re-encryption under a new key. */
export async function listAllEncryptedKeys(db: Db) {
  return db.selectFrom('userApiKeys').select(['id', 'userId', 'provider', 'encryptedKey']).execute();
}

export async function replaceEncryptedKey(db: Db, id: string, previous: string, next: string): Promise<boolean> {
  // Conditional on the old ciphertext, so a concurrent save is never overwritten.
  const result = await db
    .updateTable('userApiKeys')
    .set({ encryptedKey: next })
    .where('id', '=', id)
    .where('encryptedKey', '=', previous)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
