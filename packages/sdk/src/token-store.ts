/** What the SDK remembers between calls. */
export interface StoredSession {
  accessToken: string | null;
  /** ISO time the access token stops working; the SDK refreshes a little before. */
  accessTokenExpiresAt: string | null;
  /** Only in `body` transport (Node programs). Browsers keep it in an HttpOnly cookie instead. */
  refreshToken: string | null;
}

/**
 * Where the SDK keeps tokens. Implement it to persist sessions your own way; methods may be
 * sync or async.
 *
 * @example
 * const store: TokenStore = {
 *   load: () => mySecrets.get('council'),
 *   save: (s) => mySecrets.set('council', s),
 *   clear: () => mySecrets.delete('council'),
 * };
 */
export interface TokenStore {
  load(): StoredSession | null | Promise<StoredSession | null>;
  save(session: StoredSession): void | Promise<void>;
  clear(): void | Promise<void>;
}

/**
 * Keeps tokens in memory only (the default): nothing survives the process or page. In browsers
 * this is what you want — the refresh cookie restores the session after a reload.
 *
 * @example
 * const client = createCouncilClient({ url: 'http://127.0.0.1:3000', tokenStore: memoryTokenStore() });
 */
export function memoryTokenStore(initial: StoredSession | null = null): TokenStore {
  let current = initial;
  return {
    load: () => current,
    save: (session) => {
      current = session;
    },
    clear: () => {
      current = null;
    },
  };
}
