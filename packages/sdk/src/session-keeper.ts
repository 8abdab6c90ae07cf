import type { TRPCClient } from '@trpc/client';
import type { AppRouter } from '@llm-council/api';
import { isUnauthorized } from './errors.js';
import type { StoredSession, TokenStore } from './token-store.js';

export type Transport = 'cookie' | 'body';

/** The shape every `auth.*` procedure that signs in returns. */
interface AuthResult {
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string | null;
}

/** Refresh this long before the access token's recorded expiry, to absorb clock skew and latency. */
const EXPIRY_MARGIN_MS = 10_000;

/**
 * Owns the tokens: reads and writes the store, and refreshes — once for any number of callers
 * waiting at the same time (single flight).
 */
export class SessionKeeper {
  private refreshing: Promise<boolean> | null = null;

  constructor(
    private readonly store: TokenStore,
    readonly transport: Transport,
    private readonly refreshClient: TRPCClient<AppRouter>,
    private readonly onSessionExpired: (() => void) | undefined,
  ) {}

  async accessToken(): Promise<string | null> {
    return (await this.store.load())?.accessToken ?? null;
  }

  async refreshToken(): Promise<string | null> {
    return (await this.store.load())?.refreshToken ?? null;
  }

  /** Whether a refresh could work: browsers always may (the cookie is invisible to us). */
  async canRefresh(): Promise<boolean> {
    return this.transport === 'cookie' || (await this.refreshToken()) !== null;
  }

  /** Whether the stored access token is known to be (nearly) expired. */
  async isAccessTokenStale(): Promise<boolean> {
    const session = await this.store.load();
    if (!session?.accessToken || !session.accessTokenExpiresAt) return false;
    return Date.parse(session.accessTokenExpiresAt) - EXPIRY_MARGIN_MS <= Date.now();
  }

  async remember(result: AuthResult): Promise<void> {
    const previous = await this.store.load();
    const next: StoredSession = {
      accessToken: result.accessToken,
      accessTokenExpiresAt: result.accessTokenExpiresAt,
      refreshToken: this.transport === 'body' ? (result.refreshToken ?? previous?.refreshToken ?? null) : null,
    };
    await this.store.save(next);
  }

  async forget(): Promise<void> {
    await this.store.clear();
  }

  /**
   * Exchanges the refresh token for new tokens. Concurrent callers share one request. Resolves
   * false (after clearing the store and calling `onSessionExpired`) when the server says the
   * session is over; rejects, keeping the stored session, when the refresh failed for any other
   * reason (no network, a server error, a rate limit), so the next attempt can still succeed.
   */
  refresh(): Promise<boolean> {
    this.refreshing ??= this.performRefresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async performRefresh(): Promise<boolean> {
    const refreshToken = await this.refreshToken();
    if (this.transport === 'body' && !refreshToken) return false;
    try {
      const result = await this.refreshClient.auth.refresh.mutate(
        this.transport === 'body'
          ? { transport: 'body', refreshToken: refreshToken ?? undefined }
          : { transport: 'cookie' },
      );
      await this.remember(result);
      return true;
    } catch (error: unknown) {
      // Only the server's UNAUTHORIZED ends a session (revoked, expired, reused); an outage must
      // not sign the user out of a session that is still good.
      if (!isUnauthorized(error)) throw error;
      const hadSession = (await this.store.load()) !== null;
      await this.forget();
      if (hadSession || this.transport === 'cookie') this.onSessionExpired?.();
      return false;
    }
  }
}
