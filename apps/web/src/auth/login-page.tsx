import { useNavigate, useSearchParams } from '@solidjs/router';
import { Match, Show, Switch, createEffect } from 'solid-js';
import { PageLoading } from '../ui/page-loading';
import { LoginForm } from './login-form';
import { safeNextPath } from './require-auth';
import { useSession } from './session';
import './auth.css';

/** The public entry: a short pitch beside the sign-in / register form. */
export function LoginPage() {
  const session = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();

  createEffect(() => {
    if (session.status() === 'signed-in') navigate(safeNextPath(params['next']), { replace: true });
  });
  createEffect(() => (document.title = 'Sign in · LLM Council'));

  return (
    <Switch>
      <Match when={session.status() === 'checking'}>
        <PageLoading label="Restoring your session…" />
      </Match>
      <Match when={session.status() === 'signed-out'}>
        <div class="auth-page">
          <section class="auth-pitch" aria-label="About LLM Council">
            <div class="brand brand-large">
              <img src="/favicon.svg" alt="" width="40" height="40" />
              <span>LLM Council</span>
            </div>
            <ol class="auth-steps">
              <li>
                <strong>Every model answers.</strong> Your question goes to a council of models at once.
              </li>
              <li>
                <strong>They review each other.</strong> Answers are anonymised and ranked by the other models.
              </li>
              <li>
                <strong>A chairman decides.</strong> One model weighs answers and rankings into a final reply.
              </li>
            </ol>
          </section>
          <main class="auth-card" id="main">
            <Show when={session.notice()}>
              <div class="notice notice-info" role="status">
                {session.notice()}
              </div>
            </Show>
            <LoginForm onSignedIn={(user) => session.signedIn(user)} />
          </main>
        </div>
      </Match>
    </Switch>
  );
}
