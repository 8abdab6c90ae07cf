import { For, Show, createEffect, createResource } from 'solid-js';
import { useClient } from '../client-context';
import { useSession } from '../auth/session';
import { describeError } from '../ui/describe-error';
import { ErrorNotice } from '../ui/error-notice';
import { PageLoading } from '../ui/page-loading';
import { CouncilsSection } from '../councils/councils-section';
import { DataSection } from '../data/data-section';
import { AccessTokensSection } from './access-tokens-section';
import { AccountSection } from './account-section';
import { AppearanceSection } from './appearance-section';
import { ApiKeyCard } from './api-key-card';
import { DailyBudgetCard } from './daily-budget-card';
import { SecurityActivityCard } from './security-activity-card';
import type { SavedKey } from './settings-types';
import './settings.css';

/**
 * `/settings`: API keys per provider, appearance, saved councils, your data, access tokens, and the
 * account (password, devices, deletion).
 */
export function SettingsPage() {
  const client = useClient();
  const session = useSession();
  const [data, { refetch, mutate }] = createResource(async () => {
    const [providers, keys] = await Promise.all([
      client.settings.providers.query(),
      client.settings.listApiKeys.query(),
    ]);
    return { providers, keys };
  });
  createEffect(() => (document.title = 'Settings · LLM Council'));

  const updateKey = (provider: string, saved: SavedKey | undefined) => {
    const current = data();
    if (!current) return;
    const keys = current.keys.filter((k) => k.provider !== provider);
    mutate({ ...current, keys: saved ? [...keys, saved] : keys });
  };

  return (
    <div class="settings">
      <h1>Settings</h1>
      <section class="settings-section" aria-labelledby="keys-heading">
        <h2 id="keys-heading">API keys</h2>
        <p class="muted">
          The council calls models with your own key. It is encrypted on the server, used only for your runs, and never
          shown again — you will only see its last characters.
        </p>
        <Show
          when={!data.error}
          fallback={
            <ErrorNotice message={describeError(data.error).message}>
              <button type="button" class="button button-small" onClick={() => void refetch()}>
                Try again
              </button>
            </ErrorNotice>
          }
        >
          <Show when={data()} fallback={<PageLoading label="Loading your keys…" />}>
            {(loaded) => (
              <For each={loaded().providers}>
                {(provider) => (
                  <ApiKeyCard
                    provider={provider}
                    saved={loaded().keys.find((k) => k.provider === provider.id)}
                    account={session.user()?.email ?? ''}
                    onChange={(saved) => updateKey(provider.id, saved)}
                  />
                )}
              </For>
            )}
          </Show>
        </Show>
        <DailyBudgetCard />
      </section>
      <AppearanceSection />
      <CouncilsSection />
      <DataSection />
      <AccessTokensSection />
      <AccountSection />
      <div class="settings-section">
        <SecurityActivityCard />
      </div>
    </div>
  );
}
