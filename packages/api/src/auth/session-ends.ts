import type { Database, Notifications } from '@llm-council/db';
import { sql, type Kysely } from 'kysely';
import type { Logger } from '../ports.js';

/** The LISTEN/NOTIFY channel every host hears "these sessions ended" on. */
const SESSION_END_CHANNEL = 'llmc_session_end';

/** Which sessions (and personal access tokens) of a user ended. */
export interface SessionEnd {
  userId: string;
  /** Only this session ended. */
  sessionId?: string;
  /** Every session but this one ended (a password change keeps the caller's device signed in). */
  exceptSessionId?: string;
  /** Only this personal access token ended (revoked); no session did. */
  tokenId?: string;
  /**
   * Every personal access token of the user ended too (a password change or logout everywhere
   * without `keepAccessTokens`, a disabled or deleted account). Otherwise a token's streams go on:
   * the token itself still works.
   */
  withAccessTokens?: boolean;
}

/**
 * Tells every host (PostgreSQL) that sessions ended. Sent inside the caller's transaction, so it
 * is delivered only if the revocation commits. On the embedded database nobody else listens and
 * the hub below is told directly.
 */
export async function announceSessionEnd(db: Kysely<Database>, end: SessionEnd): Promise<void> {
  await sql`select pg_notify(${SESSION_END_CHANNEL}, ${JSON.stringify(end)})`.execute(db);
}

/** Who opened the watched work: a session, or a personal access token (`tokenId`, no session). */
export interface WatchedCredential {
  sessionId: string | null;
  tokenId?: string | null;
}

interface Watcher {
  sessionId: string | null;
  tokenId: string | null;
  controller: AbortController;
}

function matches(end: SessionEnd, watcher: Watcher): boolean {
  if (watcher.tokenId !== null) return end.withAccessTokens === true || end.tokenId === watcher.tokenId;
  if (end.tokenId !== undefined) return false;
  if (end.sessionId !== undefined) return watcher.sessionId === end.sessionId;
  if (end.exceptSessionId !== undefined) return watcher.sessionId !== end.exceptSessionId;
  return true;
}

/**
 * Long-lived work done for a session on this host (an open `council.events` stream) watches it
 * here, and is aborted when the session ends — by a call on this host or, through
 * LISTEN/NOTIFY, on any other.
 */
export class SessionEndHub {
  private readonly watchers = new Map<string, Set<Watcher>>();
  private stopListening: (() => void) | undefined;

  constructor(private readonly options: { notifications: Notifications | null; logger: Logger }) {}

  async start(): Promise<void> {
    const { notifications } = this.options;
    if (!notifications) return;
    this.stopListening = await notifications.listen(SESSION_END_CHANNEL, (payload) => this.receive(payload));
  }

  close(): void {
    this.stopListening?.();
  }

  /** A signal that aborts when the session (or the token) ends; call `stop` when the work is done. */
  watch(userId: string, credential: WatchedCredential): { signal: AbortSignal; stop: () => void } {
    const watcher: Watcher = {
      sessionId: credential.sessionId,
      tokenId: credential.tokenId ?? null,
      controller: new AbortController(),
    };
    let ofUser = this.watchers.get(userId);
    if (!ofUser) this.watchers.set(userId, (ofUser = new Set()));
    ofUser.add(watcher);
    return {
      signal: watcher.controller.signal,
      stop: () => {
        ofUser.delete(watcher);
        if (ofUser.size === 0 && this.watchers.get(userId) === ofUser) this.watchers.delete(userId);
      },
    };
  }

  /** Ends what this host runs for the sessions that ended; returns how many watchers it aborted. */
  endLocally(end: SessionEnd): number {
    let ended = 0;
    for (const watcher of this.watchers.get(end.userId) ?? []) {
      if (!matches(end, watcher) || watcher.controller.signal.aborted) continue;
      watcher.controller.abort();
      ended += 1;
    }
    return ended;
  }

  private receive(payload: string): void {
    try {
      const end = JSON.parse(payload) as SessionEnd;
      if (typeof end.userId === 'string') this.endLocally(end);
    } catch (error) {
      this.options.logger.warn({ err: error }, 'unreadable session-end notification');
    }
  }
}
