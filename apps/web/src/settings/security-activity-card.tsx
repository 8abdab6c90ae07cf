import type { RouterOutputs } from '@llm-council/sdk';
import { For, Show, createResource } from 'solid-js';
import { useClient } from '../client-context';
import { describeError } from '../ui/describe-error';
import { ErrorNotice } from '../ui/error-notice';
import { formatFullTime } from '../ui/relative-time';

type SecurityEvent = RouterOutputs['settings']['securityActivity'][number];

const EVENT_LABELS: Record<string, string> = {
  sign_in: 'Signed in',
  sign_in_failed: 'Failed sign-in',
  lockout: 'Sign-in locked after failed attempts',
  password_changed: 'Password changed',
  refresh_token_reuse: 'Old session token reused — session ended',
  logout_all: 'Signed out on every device',
  api_key_saved: 'API key saved',
  api_key_deleted: 'API key deleted',
  invite_used: 'Joined with an invite',
  user_disabled: 'Account disabled by the operator',
  user_enabled: 'Account enabled by the operator',
  user_promoted: 'Made an admin',
  server_key_changed: "Access to the server's key changed",
  origin_rejected: 'Blocked a request from another site',
};

/** "Firefox on Linux"-style guess from a user agent; the raw string is in the tooltip. */
export function describeDevice(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /Firefox\//.test(userAgent)
      ? 'Firefox'
      : /Chrome\//.test(userAgent)
        ? 'Chrome'
        : /Safari\//.test(userAgent)
          ? 'Safari'
          : null;
  const system = /Windows/.test(userAgent)
    ? 'Windows'
    : /Android/.test(userAgent)
      ? 'Android'
      : /iPhone|iPad/.test(userAgent)
        ? 'iOS'
        : /Mac OS X/.test(userAgent)
          ? 'macOS'
          : /Linux/.test(userAgent)
            ? 'Linux'
            : null;
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? system ?? userAgent.slice(0, 40);
}

function labelOf(row: SecurityEvent): string {
  const label = EVENT_LABELS[row.event] ?? row.event;
  const provider = row.detail['provider'];
  return typeof provider === 'string' ? `${label} (${provider})` : label;
}

/** The signed-in user's recent security events: when, what, from which address and device. */
export function SecurityActivityCard() {
  const client = useClient();
  const [activity, { refetch }] = createResource(() => client.settings.securityActivity.query());
  return (
    <section class="card security-card" aria-labelledby="security-heading">
      <h3 id="security-heading">Security activity</h3>
      <Show
        when={!activity.error}
        fallback={
          <ErrorNotice message={describeError(activity.error).message}>
            <button type="button" class="button button-small" onClick={() => void refetch()}>
              Try again
            </button>
          </ErrorNotice>
        }
      >
        <Show when={activity()}>
          {(rows) => (
            <Show when={rows().length > 0} fallback={<p class="muted">Nothing recorded yet.</p>}>
              <table class="security-table reflow-table">
                <thead>
                  <tr>
                    <th scope="col">Time</th>
                    <th scope="col">Event</th>
                    <th scope="col">IP address</th>
                    <th scope="col">Device</th>
                  </tr>
                </thead>
                <tbody>
                  <For each={rows()}>
                    {(row) => (
                      <tr classList={{ 'security-warning': /failed|lockout|reuse|rejected/.test(row.event) }}>
                        <td data-label="Time">
                          <time datetime={row.at}>{formatFullTime(row.at)}</time>
                        </td>
                        <td data-label="Event">
                          <span>{labelOf(row)}</span>
                        </td>
                        <td data-label="IP address">
                          <span>{row.ip ?? '—'}</span>
                        </td>
                        <td data-label="Device" title={row.userAgent ?? ''}>
                          <span>{describeDevice(row.userAgent)}</span>
                        </td>
                      </tr>
                    )}
                  </For>
                </tbody>
              </table>
            </Show>
          )}
        </Show>
      </Show>
    </section>
  );
}
