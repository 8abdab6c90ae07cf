import type { Context } from '../context.js';
import { announceSessionEnd, type SessionEnd, type SessionEndHub } from './session-ends.js';
import { bumpSessionEpoch } from './sessions.repository.js';

/**
 * What ending sessions needs: the database and the clock, and — inside the server — this host's
 * hub, so its own streams end without waiting for the notification. A CLI passes `{ db, now }`:
 * on PostgreSQL every running host still hears it through LISTEN/NOTIFY.
 */
export type SessionDeps = Pick<Context, 'db' | 'now'> & { services?: { sessions: SessionEndHub } };

/**
 * Ends every session of the user on every device and host: every refresh family is revoked,
 * the session epoch moves on (outstanding access tokens are refused on their next call, and a
 * refresh racing this cannot produce a usable successor), and open event streams end.
 * For logout-everywhere, disabled and deleted users.
 */
export async function endAllSessions(deps: SessionDeps, userId: string): Promise<void> {
  await endSessions(deps, { userId }, async (trx) => {
    await bumpSessionEpoch(trx, userId, deps.now());
  });
}

/**
 * Runs `revoke` and announces the end in one transaction (the notification is delivered only
 * if the revocation commits), then ends this host's own streams at once.
 */
export async function endSessions(
  deps: SessionDeps,
  end: SessionEnd,
  revoke: (trx: SessionDeps['db']) => Promise<void>,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    await revoke(trx);
    await announceSessionEnd(trx, end);
  });
  deps.services?.sessions.endLocally(end);
}
