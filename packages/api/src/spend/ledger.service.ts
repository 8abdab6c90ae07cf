import type { Usage } from '@llm-council/council';
import type { Database } from '@llm-council/db';
import type { Kysely } from 'kysely';
import { insertLedgerEntry, type LedgerEntry } from './spend-ledger.repository.js';

/**
 * Writes a paid call to the spend ledger, in the caller's transaction (the one that stores the
 * answer), so an answer and what it cost are stored together or not at all. A call the provider
 * reported no usage for costs nothing we can count; imported runs never come through here.
 */
export async function recordPaidCall(
  trx: Kysely<Database>,
  entry: Omit<LedgerEntry, 'usage'> & { usage: Usage | null | undefined },
): Promise<void> {
  if (!entry.usage) return;
  await insertLedgerEntry(trx, { ...entry, usage: entry.usage });
}
