import type { Context, RequestInfo } from '../context.js';
import { insertAuditEvent } from './audit.repository.js';

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
