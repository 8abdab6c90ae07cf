import type { Database } from '@llm-council/db';
import type { Kysely } from 'kysely';
import type { ApiConfig } from '../config.js';
import type { Logger } from '../ports.js';
import {
  deleteExpiredRefreshTokens,
  deleteOldAuditEvents,
  deleteOldDeltas,
  deleteStaleRateLimits,
} from './cleanup.repository.js';

import { deleteExpiredUploads } from '../attachments/attachments.service.js';

const DAY_MS = 86_400_000;

export interface CleanupResult {
  refreshTokens: number;
  rateLimits: number;
  deltaEvents: number;
  auditEvents: number;
  /** Uploads never attached to a question within a day (and their bytes, when no other upload shares them). */
  attachments: number;
}

/**
 * One pass of housekeeping: refresh tokens of families that ended over a day ago, rate-limit counters whose window is over
 * (the longest rule's window, so no live counter is cut short), and — when a retention is set —
 * the deltas of runs finished longer ago than that, and security-log rows past AUDIT_RETENTION_DAYS. Every delete is idempotent, so several hosts
 * on one database may run it at once without harm.
 */
export async function runCleanup(
  db: Kysely<Database>,
  config: Pick<ApiConfig, 'rateLimits' | 'cleanup' | 'imports'>,
  now: Date,
): Promise<CleanupResult> {
  const rules = [...Object.values(config.rateLimits), config.imports.perHour, config.imports.kibPerDay];
  const longestWindowSeconds = Math.max(...rules.map((rule) => rule.windowSeconds));
  const { deltaRetentionDays, auditRetentionDays } = config.cleanup;
  return {
    refreshTokens: await deleteExpiredRefreshTokens(db, now),
    rateLimits: await deleteStaleRateLimits(db, new Date(now.getTime() - longestWindowSeconds * 1000)),
    deltaEvents:
      deltaRetentionDays === null
        ? 0
        : await deleteOldDeltas(db, new Date(now.getTime() - deltaRetentionDays * DAY_MS)),
    auditEvents:
      auditRetentionDays === null
        ? 0
        : await deleteOldAuditEvents(db, new Date(now.getTime() - auditRetentionDays * DAY_MS)),
    attachments: await deleteExpiredUploads(db, now),
  };
}

/** Runs the cleanup every `intervalMinutes` (null: never); returns the function that stops it. */
export function scheduleCleanup(deps: {
  db: Kysely<Database>;
  config: Pick<ApiConfig, 'rateLimits' | 'cleanup' | 'imports'>;
  logger: Logger;
  now: () => Date;
}): () => void {
  const { intervalMinutes } = deps.config.cleanup;
  if (intervalMinutes === null) return () => undefined;
  const pass = (): void => {
    runCleanup(deps.db, deps.config, deps.now()).then(
      (removed) => deps.logger.info({ removed }, 'cleanup pass done'),
      (error: unknown) => deps.logger.warn({ err: error }, 'cleanup pass failed; the next one retries'),
    );
  };
  const timer = setInterval(pass, intervalMinutes * 60_000).unref();
  return () => clearInterval(timer);
}
