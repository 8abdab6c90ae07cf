import { Navigate, useLocation } from '@solidjs/router';
import { Match, Switch, type JSX } from 'solid-js';
import { PageLoading } from '../ui/page-loading';
import { useSession } from './session';

/**
 * Guards the signed-in part of the app. While the session is being restored (page load) it shows
 * a loading screen rather than flashing the sign-in form; once signed out — by choice or because
 * the session expired — it sends the user to /login with the way back in `next`.
 */
export function RequireAuth(props: { children: JSX.Element }) {
  const session = useSession();
  const location = useLocation();
  const loginHref = () => `/login?next=${encodeURIComponent(location.pathname + location.search)}`;
  return (
    <Switch>
      <Match when={session.status() === 'checking'}>
        <PageLoading label="Restoring your session…" />
      </Match>
      <Match when={session.status() === 'signed-out'}>
        <Navigate href={loginHref()} />
      </Match>
      <Match when={session.status() === 'signed-in'}>{props.children}</Match>
    </Switch>
  );
}

/** Only same-app paths are followed after sign-in (no `//evil.example` open redirect). */
export function safeNextPath(next: string | string[] | undefined): string {
  const value = Array.isArray(next) ? next[0] : next;
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/';
  return value.startsWith('/login') ? '/' : value;
}
