import type { Database } from '@llm-council/db';
import type { Kysely } from 'kysely';
import { appError } from '../errors.js';
import type { Clock } from '../ports.js';
import { releaseStorage, reserveStorage } from './storage.repository.js';

/**
 * Runs `write` with `bytes` reserved against the user's storage cap (the one imports count
 * against): parallel writers are decided one after another, so together they cannot pass the cap.
 * Refused with STORAGE_LIMIT_REACHED naming `what`, the sizes and the cap. No cap: just writes.
 */
export async function withStorageReserved<T>(
  deps: { db: Kysely<Database>; now: Clock },
  userId: string,
  request: { bytes: number; maxBytes: number | null; what: string },
  write: () => Promise<T>,
): Promise<T> {
  const { bytes, maxBytes, what } = request;
  if (maxBytes === null) return write();
  const reservation = await reserveStorage(deps.db, userId, bytes, maxBytes, deps.now());
  if (!reservation.isReserved) {
    throw appError(
      'FORBIDDEN',
      'STORAGE_LIMIT_REACHED',
      `${what} (${formatMb(bytes)} MB) does not fit: you store ${formatMb(reservation.usedBytes)} MB of at most ${formatMb(maxBytes)} MB. Delete conversations to make room.`,
    );
  }
  try {
    return await write();
  } finally {
    await releaseStorage(deps.db, userId, bytes);
  }
}

function formatMb(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}
