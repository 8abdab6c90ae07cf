import type { Context, RequestInfo } from '../context.js';
import { addressBucket } from '../shared/client-address.js';
import { hitRateLimit } from '../shared/rate-limit.repository.js';
import { insertAuditEvent, listAuditEventsOfUser, type AuditRow } from './audit.repository.js';

export type { AuditRow };

/** Every kind of event the security log records. */
export type AuditEvent =
  | 'sign_in'
  | 'sign_in_failed'
  | 'lockout'
  | 'password_changed'
  | 'refresh_token_reuse'
  | 'logout_all'
  | 'session_revoked'
  | 'token_created'
  | 'token_revoked'
  | 'api_key_saved'
  | 'api_key_deleted'
  | 'invite_created'
  | 'invite_used'
  | 'user_disabled'
  | 'user_enabled'
  | 'user_deleted'
  | 'user_promoted'
  | 'server_key_changed'
  | 'csrf_rejected'
  | 'origin_rejected';

/** The device a request came from, as the security log shows it. */
export function deviceOf(req: Pick<RequestInfo, 'ip' | 'userAgent'>): { ip: string; userAgent: string | null } {
  return { ip: req.ip, userAgent: req.userAgent };
}

export interface AuditEntry {
  userId: string | null;
  event: AuditEvent;
  ip?: string | null;
  userAgent?: string | null;
  /** Plain facts only (a provider id, an invite id, a count): never a password, key, token or code. */
  detail?: Record<string, string | number | boolean | null>;
}

/**
 * Stores a security event and writes a log line for it. Recording must never turn a sign-in
 * (or a refusal) into a 500: a failed insert is logged and the request goes on.
 */
export type AuditDeps = Pick<Context, 'db' | 'logger' | 'now'>;

export async function recordAudit(deps: AuditDeps, entry: AuditEntry): Promise<void> {
  const row = {
    userId: entry.userId,
    event: entry.event,
    ip: entry.ip ?? null,
    userAgent: entry.userAgent?.slice(0, 300) ?? null,
    detail: entry.detail ?? {},
    createdAt: deps.now(),
  };
  deps.logger.info({ audit: row.event, userId: row.userId, ip: row.ip, detail: row.detail }, 'security event');
  try {
    await insertAuditEvent(deps.db, row);
  } catch (error) {
    deps.logger.error({ err: error, audit: row.event, userId: row.userId }, 'security event not stored');
  }
}

/** A refusal anyone can provoke without signing in is stored at most this often per address. */
const REFUSAL_RECORD_RULE = { limit: 1, windowSeconds: 60 };

/**
 * Records a refusal that needs no sign-in to provoke (a foreign Origin, a non-JSON POST): a log
 * line always, a row at most once a minute per address (an IPv6 /64 is one address), so a flood
 * of refused requests cannot fill the table. Counted in the database: it holds across hosts.
 */
export async function recordRefusal(deps: AuditDeps, entry: AuditEntry & { ip: string }): Promise<void> {
  const key = `audit:${entry.event}:${addressBucket(entry.ip)}`;
  const slot = await hitRateLimit(deps.db, key, REFUSAL_RECORD_RULE, deps.now()).catch((error: unknown) => {
    deps.logger.error({ err: error, audit: entry.event }, 'security event throttle unavailable');
    return { allowed: false };
  });
  if (slot.allowed) return recordAudit(deps, entry);
  deps.logger.warn(
    { audit: entry.event, userId: entry.userId, ip: entry.ip, detail: entry.detail ?? {} },
    'security event (not stored: repeated)',
  );
}

/** The user's most recent security events, newest first (the Settings card and `pnpm users:audit`). */
export function recentAuditEvents(deps: Pick<Context, 'db'>, userId: string, limit: number): Promise<AuditRow[]> {
  return listAuditEventsOfUser(deps.db, userId, limit);
}
