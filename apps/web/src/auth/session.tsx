import type { CouncilClient } from '@llm-council/sdk';
import { createContext, createSignal, useContext, type JSX } from 'solid-js';

export type SessionStatus = 'checking' | 'signed-in' | 'signed-out';

export interface SessionUser {
  id: string;
  email: string;
}

export interface Session {
  status: () => SessionStatus;
  user: () => SessionUser | null;
  /** Why the user was sent to the sign-in screen, if it was not their own doing. */
  notice: () => string | null;
  /** After a page load: the refresh cookie → a new in-memory session token → who we are. */
  restore: () => Promise<void>;
  signedIn: (user: SessionUser) => void;
  /** The SDK gave up refreshing (revoked, expired): back to the sign-in screen. */
  expire: () => void;
  /** Ends the session server-side (revokes the refresh token, clears the cookie). */
  logout: () => Promise<void>;
}

/**
 * The signed-in state. It holds no token: the SDK keeps the session token in memory and the
 * browser keeps the refresh token in an HttpOnly cookie this code cannot read.
 */
export function createSession(client: CouncilClient): Session {
  const [status, setStatus] = createSignal<SessionStatus>('checking');
  const [user, setUser] = createSignal<SessionUser | null>(null);
  const [notice, setNotice] = createSignal<string | null>(null);

  const signOutLocally = () => {
    setUser(null);
    setStatus('signed-out');
  };

  return {
    status,
    user,
    notice,
    async restore() {
      try {
        if (await client.restoreSession()) {
          const me = await client.auth.me.query();
          setUser({ id: me.id, email: me.email });
          setStatus('signed-in');
          return;
        }
      } catch (error) {
        // A network failure at start-up: the sign-in screen is the honest fallback.
        console.warn('could not restore the session', error);
      }
      signOutLocally();
    },
    signedIn(next) {
      setNotice(null);
      setUser(next);
      setStatus('signed-in');
    },
    expire() {
      // The SDK also reports "no session" when a fresh page finds no cookie; only a session
      // that existed can have expired.
      if (status() === 'signed-in') setNotice('Your session has ended. Please sign in again.');
      signOutLocally();
    },
    async logout() {
      // Rejects when the server cannot be reached: the cookie would survive a local-only sign-out
      // and sign the user straight back in on the next load, so the caller shows the error instead.
      await client.auth.logout.mutate();
      setNotice(null);
      signOutLocally();
    },
  };
}

const SessionContext = createContext<Session>();

export function SessionProvider(props: { session: Session; children: JSX.Element }) {
  return <SessionContext.Provider value={props.session}>{props.children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession() needs a <SessionProvider> above it');
  return session;
}
