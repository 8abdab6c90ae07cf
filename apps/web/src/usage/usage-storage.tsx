import { Show, createResource } from 'solid-js';
import { useClient } from '../client-context';
import { describeError } from '../ui/describe-error';

const MIB = 1024 * 1024;
const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

/** "0.4 MB", "1,024 MB": mebibytes, as USER_STORAGE_MAX_MB counts them. */
export function formatMegabytes(bytes: number): string {
  return `${oneDecimal.format(bytes / MIB)} MB`;
}

/**
 * The text the user stores against the server's cap (`usage.storage`, USER_STORAGE_MAX_MB): not
 * tied to the month shown, and an import past the cap is refused, so it is worth seeing ahead.
 */
export function UsageStorage() {
  const client = useClient();
  const [storage] = createResource(() => client.usage.storage.query());
  const percent = (used: number, max: number) => Math.min(100, Math.round((used / max) * 100));

  return (
    <section class="card usage-stat usage-storage" aria-label="Storage">
      <span class="usage-stat-label">Storage</span>
      <Show
        when={!storage.error}
        fallback={<span class="usage-stat-detail">Could not load: {describeError(storage.error).message}</span>}
      >
        <Show when={storage.latest} fallback={<span class="usage-stat-detail">Loading…</span>}>
          {(s) => (
            <Show
              when={s().maxBytes}
              fallback={
                <>
                  <strong class="usage-stat-value">{formatMegabytes(s().usedBytes)}</strong>
                  <span class="usage-stat-detail">used · unlimited</span>
                </>
              }
            >
              {(max) => (
                <>
                  <strong class="usage-stat-value">
                    {formatMegabytes(s().usedBytes)} of {formatMegabytes(max())}
                  </strong>
                  <meter min={0} max={max()} value={s().usedBytes} aria-label="Storage used" />
                  <span class="usage-stat-detail">
                    {percent(s().usedBytes, max())}% used · messages, answers and reviews; imports past the limit are
                    refused
                  </span>
                </>
              )}
            </Show>
          )}
        </Show>
      </Show>
    </section>
  );
}
