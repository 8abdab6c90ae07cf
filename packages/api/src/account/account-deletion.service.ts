import type { Context } from '../context.js';
import type { SessionEndHub } from '../auth/session-ends.js';
import { endSessions } from '../auth/sessions.service.js';
import { announceRunCancel } from '../council/run-event-hub.js';
import type { RunExecutor } from '../council/run-executor.js';
import { recordAudit } from '../audit/audit.js';
import { deleteUserRows, listActiveRunIds, lockUserForDeletion } from './account-deletion.repository.js';

/** How long a deletion waits for this host's runs of the user to stop (a cancel takes well under a second). */
const RUN_STOP_WAIT_MS = 5_000;

/**
 * What deleting an account needs. Inside the server the services are there: this host's runs of
 * the user are stopped and its streams end at once. The operator's CLI passes none; on
 * PostgreSQL every running host still hears both through LISTEN/NOTIFY.
 */
export type AccountDeletionDeps = Pick<Context, 'db' | 'logger' | 'now'> & {
  services?: { sessions: SessionEndHub; council: { executor: Pick<RunExecutor, 'cancel' | 'cancelAndSettle'> } };
};

/**
 * Deletes the account and every row of it (nothing of the user may survive) — the one way to do it, for
 * `account.delete` and the operator's `users:delete` alike. False when the user is already gone.
 *
 * 1. The user's live runs are cancelled first, and this host waits for its own to stop, so no
 *    upstream call continues for a user who is gone and the runs end cleanly while their rows exist.
 * 2. One transaction locks the user row, asks every host to cancel any run still live (a run on
 *    another host, or one started meanwhile: the notification is delivered on commit), announces
 *    that every session ended, and deletes every row (see `deleteUserRows`).
 * 3. This host's streams of the user end; access tokens are refused from the commit on, because
 *    the session check finds no user.
 *
 * One ownerless security-log entry records that an account was deleted and by whom (the user or
 * the operator), without the user's id or email: nothing in the database points to them any more.
 */
export async function deleteAccount(
  deps: AccountDeletionDeps,
  userId: string,
  by: 'self' | 'operator',
): Promise<boolean> {
  const stopped = await stopLocalRuns(deps, await listActiveRunIds(deps.db, userId));
  let isDeleted = false;
  let lateRuns: string[] = [];
  await endSessions(deps, { userId, withAccessTokens: true }, async (trx) => {
    const user = await lockUserForDeletion(trx, userId);
    if (!user) return;
    lateRuns = await listActiveRunIds(trx, userId);
    for (const runId of lateRuns) await announceRunCancel(trx, runId);
    await deleteUserRows(trx, { id: userId, email: user.email });
    isDeleted = true;
  });
  // A run started on this host between step 1 and the commit: its rows are gone, stop it now.
  for (const runId of lateRuns) await deps.services?.council.executor.cancel(runId);
  if (!isDeleted) return false;
  deps.logger.info({ userId, by, runsCancelled: stopped + lateRuns.length }, 'account deleted');
  await recordAudit(deps, { userId: null, event: 'user_deleted', detail: { by } });
  return true;
}

/** Cancels the runs and waits (bounded) for those this host executes to end; returns how many. */
async function stopLocalRuns(deps: AccountDeletionDeps, runIds: string[]): Promise<number> {
  const executor = deps.services?.council.executor;
  if (!executor || runIds.length === 0) return 0;
  await executor.cancelAndSettle(runIds, RUN_STOP_WAIT_MS);
  return runIds.length;
}
