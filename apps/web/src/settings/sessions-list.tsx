import type { RouterOutputs } from '@llm-council/sdk';
import { For, Show, createResource, createSignal } from 'solid-js';
import { useClient } from '../client-context';
import { describeError } from '../ui/describe-error';
import { createMutation } from '../ui/create-mutation';
import { ErrorNotice } from '../ui/error-notice';
import { PageLoading } from '../ui/page-loading';
import { formatFullTime, formatRelativeTime, useMinuteClock } from '../ui/relative-time';
import { describeDevice } from './device-name';

type LiveSession = RouterOutputs['account']['sessions'][number];

/**
 * The devices signed in to the account, this one marked: each other one can be signed out,
 * or all of them at once. A revoked device is refused on its next call.
 */
export function SessionsList(props: { version: number }) {
  const client = useClient();
  const now = useMinuteClock();
  const [sessions, { refetch, mutate }] = createResource(
    () => props.version,
    () => client.account.sessions.query(),
  );
  const [message, setMessage] = createSignal<string | null>(null);
  // One sign-out at a time: every button waits while one is under way.
  const signOut = createMutation(async (work: () => Promise<string>) => setMessage(await work()));
  // Reading a failed resource throws: the list's own error notice covers that case.
  const others = () => (sessions.error ? [] : (sessions() ?? [])).filter((s) => !s.current);

  const act = (work: () => Promise<string>) => {
    setMessage(null);
    return signOut.run(work);
  };

  const revoke = (session: LiveSession) =>
    act(async () => {
      await client.account.revokeSession.mutate({ id: session.id });
      mutate((list) => list?.filter((s) => s.id !== session.id));
      return `${describeDevice(session.userAgent)} has been signed out.`;
    });

  const revokeOthers = () =>
    act(async () => {
      const { ended } = await client.account.revokeOtherSessions.mutate();
      mutate((list) => list?.filter((s) => s.current));
      return ended === 1 ? 'Signed out of 1 other device.' : `Signed out of ${ended} other devices.`;
    });

  return (
    <div class="card sessions-card" aria-labelledby="sessions-heading" role="region">
      <div class="sessions-head">
        <h3 id="sessions-heading">Where you are signed in</h3>
        <Show when={others().length > 0}>
          <button
            type="button"
            class="button button-small"
            disabled={signOut.pending()}
            onClick={() => void revokeOthers()}
          >
            Sign out everywhere else
          </button>
        </Show>
      </div>
      <Show
        when={!sessions.error}
        fallback={
          <ErrorNotice message={describeError(sessions.error).message}>
            <button type="button" class="button button-small" onClick={() => void refetch()}>
              Try again
            </button>
          </ErrorNotice>
        }
      >
        <Show when={sessions()} fallback={<PageLoading label="Loading your sessions…" />}>
          {(list) => (
            <ul class="session-list">
              <For each={list()}>
                {(session) => (
                  <li class="session-row" aria-label={describeDevice(session.userAgent)}>
                    <div class="session-info">
                      <p class="session-device">
                        <strong>{describeDevice(session.userAgent)}</strong>
                        <Show when={session.current}>
                          <span class="badge badge-ok">This device</span>
                        </Show>
                      </p>
                      <p class="muted session-meta">
                        <Show when={session.ip}>{(ip) => <span>{ip()} · </span>}</Show>
                        <span title={formatFullTime(session.createdAt)}>
                          Signed in {formatRelativeTime(session.createdAt, now())}
                        </span>
                        {' · '}
                        <span title={formatFullTime(session.lastUsedAt)}>
                          last used {formatRelativeTime(session.lastUsedAt, now())}
                        </span>
                      </p>
                    </div>
                    <Show when={!session.current}>
                      <button
                        type="button"
                        class="button button-small button-danger-ghost"
                        disabled={signOut.pending()}
                        onClick={() => void revoke(session)}
                      >
                        Revoke
                      </button>
                    </Show>
                  </li>
                )}
              </For>
            </ul>
          )}
        </Show>
      </Show>
      <Show when={message()}>
        {(text) => (
          <p class="notice notice-success" role="status">
            {text()}
          </p>
        )}
      </Show>
      <Show when={signOut.error()}>{(error) => <ErrorNotice message={error().message} />}</Show>
    </div>
  );
}
