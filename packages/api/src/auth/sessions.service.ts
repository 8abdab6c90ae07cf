import type { Context } from '../context.js';
import { announceSessionEnd, type SessionEnd, type SessionEndHub } from './session-ends.js';
import {
  bumpSessionEpoch,
  listLiveSessions,
  revokeOtherSessions,
  revokeSessionOfUser,
  revokeTokensOfUser,
  type SessionRow,
} from './sessions.repository.js';

/**
 * What ending sessions needs: the database and the clock, and — inside the server — this host's
 * hub, so its own streams end without waiting for the notification. A CLI passes `{ db, now }`:
 * on PostgreSQL every running host still hears it through LISTEN/NOTIFY.
 */
export type SessionDeps = Pick<Context, 'db' | 'now'> & { services?: { sessions: SessionEndHub } };

/**
 * Ends every session of the user on every device: every refresh family is revoked,
 * the session epoch moves on (outstanding access tokens are refused on their next call, and a
 * refresh racing this cannot produce a usable successor), and open event streams end.
 * Personal access tokens: `revoke` (logout everywhere, unless the user keeps them: a stolen
 * session could otherwise have minted one that outlives it), `keep` (they and their streams go
 * on), or `suspend` (a disabled account: the tokens stay for when it is enabled again, but are
 * refused meanwhile, so their streams end). Returns how many tokens were revoked.
 */
export async function endAllSessions(
  deps: SessionDeps,
  userId: string,
  accessTokens: 'revoke' | 'keep' | 'suspend',
): Promise<{ accessTokensRevoked: number }> {
  let accessTokensRevoked = 0;
  await endSessions(deps, { userId, withAccessTokens: accessTokens !== 'keep' }, async (trx) => {
    await bumpSessionEpoch(trx, userId, deps.now());
    if (accessTokens === 'revoke') accessTokensRevoked = await revokeTokensOfUser(trx, userId, deps.now());
  });
  return { accessTokensRevoked };
}

/** Ends one session of the user (a device signed out from the session list). False if not theirs. */
export async function endSession(deps: SessionDeps, userId: string, sessionId: string): Promise<boolean> {
  let isRevoked = false;
  await endSessions(deps, { userId, sessionId }, async (trx) => {
    isRevoked = await revokeSessionOfUser(trx, userId, sessionId, deps.now());
  });
  return isRevoked;
}

/** Ends every session but the caller's ("sign out everywhere else"); returns how many ended. */
export async function endOtherSessions(deps: SessionDeps, userId: string, keepSessionId: string): Promise<number> {
  let ended = 0;
  await endSessions(deps, { userId, exceptSessionId: keepSessionId }, async (trx) => {
    ended = await revokeOtherSessions(trx, userId, keepSessionId, deps.now());
  });
  return ended;
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

/** The user's live sessions (devices), newest use first. */
export function liveSessions(deps: Pick<Context, 'db' | 'now'>, userId: string): Promise<SessionRow[]> {
  return listLiveSessions(deps.db, userId, deps.now());
}
