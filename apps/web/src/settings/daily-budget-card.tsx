import type { RouterOutputs } from '@llm-council/sdk';
import { Show, createResource, createSignal } from 'solid-js';
import { useClient } from '../client-context';
import { describeError } from '../ui/describe-error';
import { createMutation } from '../ui/create-mutation';
import { ErrorNotice } from '../ui/error-notice';
import { TextField } from '../ui/text-field';

type Budgets = RouterOutputs['settings']['dailyBudget'];

const tokens = (n: number) => Math.round(n).toLocaleString('en-US');
const usd = (n: number) => `$${n.toFixed(n < 1 ? 4 : 2)}`;

/** "1,200 of 5,000 tokens · $0.0100 of $1.00" for the caps that are set, else what was used. */
function describeDay(budget: Budgets['own']): string {
  const parts = [
    budget.tokenCap === null
      ? `${tokens(budget.usedTokens)} tokens`
      : `${tokens(budget.usedTokens)} of ${tokens(budget.tokenCap)} tokens`,
    budget.usdCap === null ? usd(budget.usedUsd) : `${usd(budget.usedUsd)} of ${usd(budget.usdCap)}`,
  ];
  return parts.join(' · ');
}

/**
 * Today's spend (UTC) and the caps the user sets for runs on their own key; a run is refused once
 * the day's use reaches a cap. When this server's key serves them, its budget is shown too.
 */
export function DailyBudgetCard() {
  const client = useClient();
  const [tokenCap, setTokenCap] = createSignal('');
  const [usdCap, setUsdCap] = createSignal('');
  // The fields start from the caps in force, so changing one does not clear the other.
  const fill = (loaded: Budgets) => {
    setTokenCap(loaded.own.tokenCap === null ? '' : String(loaded.own.tokenCap));
    setUsdCap(loaded.own.usdCap === null ? '' : String(loaded.own.usdCap));
    return loaded;
  };
  const [budgets, { mutate, refetch }] = createResource(async () => fill(await client.settings.dailyBudget.query()));
  const [result, setResult] = createSignal<string | null>(null);
  const saving = createMutation(async (caps: { tokens: number | null; usd: number | null }) => {
    const saved = await client.settings.setDailyBudget.mutate(caps);
    mutate(fill(saved));
    setResult(saved.own.tokenCap === null && saved.own.usdCap === null ? 'No daily cap.' : 'Daily cap saved.');
  });
  // The server's refusal by the field it names, or for the whole form.
  const errors = (): Record<string, string[]> => {
    const ui = saving.error();
    if (!ui) return {};
    return Object.keys(ui.fieldErrors).length > 0 ? ui.fieldErrors : { form: [ui.message] };
  };

  const save = (event: SubmitEvent) => {
    event.preventDefault();
    setResult(null);
    const toCap = (value: string) => (value.trim() === '' ? null : Number(value));
    void saving.run({ tokens: toCap(tokenCap()), usd: toCap(usdCap()) });
  };

  return (
    <section class="card budget-card" aria-labelledby="budget-heading">
      <h3 id="budget-heading">Daily budget</h3>
      <Show
        when={!budgets.error}
        fallback={
          <ErrorNotice message={describeError(budgets.error).message}>
            <button type="button" class="button button-small" onClick={() => void refetch()}>
              Try again
            </button>
          </ErrorNotice>
        }
      >
        <Show when={budgets()}>
          {(loaded) => (
            <>
              <p>
                Today on your own key: <strong>{describeDay(loaded().own)}</strong>
              </p>
              <Show when={loaded().server.isAvailable}>
                <p class="muted">
                  On this server's key: {describeDay(loaded().server)} (at most{' '}
                  {tokens(loaded().server.maxTokensPerCall)} tokens per answer; the council models only).
                </p>
              </Show>
            </>
          )}
        </Show>
      </Show>
      <form class="budget-form" onSubmit={save} noValidate>
        <p class="muted">Stop my runs for the day (UTC) once they reach — leave empty for no cap:</p>
        <TextField
          label="Tokens per day"
          inputMode="numeric"
          value={tokenCap()}
          errors={errors()['tokens']}
          onValue={setTokenCap}
        />
        <TextField
          label="US dollars per day"
          inputMode="decimal"
          value={usdCap()}
          errors={errors()['usd']}
          onValue={setUsdCap}
        />
        <button type="submit" class="button" disabled={saving.pending()}>
          Save daily cap
        </button>
        <Show when={errors()['form']}>{(messages) => <ErrorNotice message={messages().join(' ')} />}</Show>
        <Show when={result()}>
          {(message) => (
            <p role="status" class="muted">
              {message()}
            </p>
          )}
        </Show>
      </form>
    </section>
  );
}
