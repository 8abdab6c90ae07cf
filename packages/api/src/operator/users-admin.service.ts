import { deleteAccount } from '../account/account-deletion.service.js';
import type { Context } from '../context.js';
import { endAllSessions } from '../auth/sessions.service.js';
import { recentAuditEvents, recordAudit, type AuditRow } from '../audit/audit.js';
import { startOfUtcDay } from '../spend/spend.service.js';
import { findUserIdByEmail, listUsers, updateUserFlags, type UserListing } from './users-admin.repository.js';

/**
 * What the operator's `pnpm users:*` commands do. They run outside the server (no request, no
 * session), so each takes the database, a logger and the clock, and names users by email.
 */
export type OperatorDeps = Pick<Context, 'db' | 'logger' | 'now'> & {
  config: Pick<Context['config'], 'operator'>;
};

export class UnknownUserError extends Error {
  constructor(readonly email: string) {
    super(`No user with the email ${email}`);
    this.name = 'UnknownUserError';
  }
}

async function requireUserId(deps: OperatorDeps, email: string): Promise<string> {
  const id = await findUserIdByEmail(deps.db, email);
  if (!id) throw new UnknownUserError(email);
  return id;
}

/** Every account with what it spent today (UTC), read from the spend ledger like the budgets. */
export function listAllUsers(deps: OperatorDeps): Promise<UserListing[]> {
  return listUsers(deps.db, startOfUtcDay(deps.now()));
}

/**
 * Disables the account and ends its sessions at once (identity's `endAllSessions`): refresh
 * tokens revoked, access tokens refused on their next call, open event streams ended — on every
 * host when the database is PostgreSQL (LISTEN/NOTIFY), since this runs outside the server.
 */
export async function disableUser(deps: OperatorDeps, email: string): Promise<void> {
  const userId = await requireUserId(deps, email);
  const now = deps.now();
  await updateUserFlags(deps.db, userId, { disabledAt: now }, now);
  await endAllSessions(deps, userId, 'suspend');
  await recordAudit(deps, { userId, event: 'user_disabled' });
}

export async function enableUser(deps: OperatorDeps, email: string): Promise<void> {
  const userId = await requireUserId(deps, email);
  await updateUserFlags(deps.db, userId, { disabledAt: null }, deps.now());
  await recordAudit(deps, { userId, event: 'user_enabled' });
}

export async function promoteUser(deps: OperatorDeps, email: string): Promise<void> {
  const userId = await requireUserId(deps, email);
  await updateUserFlags(deps.db, userId, { isAdmin: true }, deps.now());
  await recordAudit(deps, { userId, event: 'user_promoted' });
}

/** The per-user override of SERVER_KEY_USERS: true allows, false refuses, null defers to the policy. */
export async function setServerKeyAllowed(deps: OperatorDeps, email: string, allowed: boolean | null): Promise<void> {
  const userId = await requireUserId(deps, email);
  await updateUserFlags(deps.db, userId, { serverKeyAllowed: allowed }, deps.now());
  await recordAudit(deps, { userId, event: 'server_key_changed', detail: { allowed } });
}

/**
 * Deletes the account with all its data, exactly as the user's own `account.delete` does (live
 * runs cancelled on every host, every row deleted in one transaction, sessions ended).
 */
export async function deleteUser(deps: OperatorDeps, email: string): Promise<void> {
  await deleteAccount(deps, await requireUserId(deps, email), 'operator');
}

export async function listUserAudit(deps: OperatorDeps, email: string, limit = 100): Promise<AuditRow[]> {
  return recentAuditEvents(deps, await requireUserId(deps, email), limit);
}
