import { A, useSearchParams } from '@solidjs/router';
import { For, Show, createEffect, createResource } from 'solid-js';
import { useClient } from '../client-context';
import { describeError } from '../ui/describe-error';
import { ErrorNotice } from '../ui/error-notice';
import { PageLoading } from '../ui/page-loading';
import { DayChart } from './day-chart';
import { UsageStorage } from './usage-storage';
import { formatCost, formatTokens } from './usage-format';
import {
  compareMonths,
  currentMonth,
  daysOfMonth,
  formatMonthName,
  formatMonthParam,
  monthRange,
  parseMonth,
  shiftMonth,
} from './usage-month';
import './usage.css';

/**
 * `/usage?month=2026-11`: the month's tokens and cost in total, per UTC day (bars), per model and
 * for the conversations that cost the most. Without `month`, this month. Above it, the storage used.
 */
export function UsagePage() {
  const client = useClient();
  const [params] = useSearchParams<{ month: string }>();
  const month = () => parseMonth(params.month) ?? currentMonth();
  const isCurrentOrLater = () => compareMonths(month(), currentMonth()) >= 0;
  const key = () => formatMonthParam(month());
  const [data, { refetch }] = createResource(key, async (shown) => {
    const range = monthRange(parseMonth(shown) ?? currentMonth());
    const [byDay, byModel, top] = await Promise.all([
      client.usage.summary.query({ ...range, groupBy: 'day' }),
      client.usage.summary.query({ ...range, groupBy: 'model' }),
      client.usage.topConversations.query({ ...range, limit: 10 }),
    ]);
    return { key: shown, byDay, byModel, top };
  });
  createEffect(() => (document.title = `Usage · ${formatMonthName(month())} · LLM Council`));
  // `latest` rather than `data()` (which would suspend the whole page), and only for the month
  // asked for: another month's numbers under this month's name would mislead while it loads.
  const loaded = () => (data.latest?.key === key() ? data.latest : undefined);
  const hasUsage = () => (loaded()?.byDay.rows.length ?? 0) > 0;
  const monthHref = (by: number) => `/usage?month=${formatMonthParam(shiftMonth(month(), by))}`;

  return (
    <div class="usage">
      <header class="usage-head">
        <h1>Usage</h1>
        <nav class="usage-months" aria-label="Month">
          <A class="button button-small button-ghost" href={monthHref(-1)}>
            ‹ Previous month
          </A>
          <p class="usage-month-name" aria-live="polite">
            {formatMonthName(month())}
          </p>
          <Show
            when={!isCurrentOrLater()}
            fallback={
              <span class="button button-small button-ghost is-disabled" aria-disabled="true">
                Next month ›
              </span>
            }
          >
            <A class="button button-small button-ghost" href={monthHref(1)}>
              Next month ›
            </A>
          </Show>
        </nav>
      </header>

      <UsageStorage />

      <Show
        when={!data.error}
        fallback={
          <ErrorNotice message={`Could not load your usage: ${describeError(data.error).message}`}>
            <button type="button" class="button button-small" onClick={() => void refetch()}>
              Try again
            </button>
          </ErrorNotice>
        }
      >
        <Show when={loaded()} fallback={<PageLoading label="Loading your usage…" />}>
          <Show
            when={hasUsage() && loaded()}
            fallback={
              <div class="card usage-empty">
                <p>
                  No usage in {formatMonthName(month())}. Tokens and cost appear here once the council has answered a
                  question.
                </p>
                <A class="button button-primary" href="/">
                  Ask the council
                </A>
              </div>
            }
          >
            {(loaded) => (
              <>
                <section class="usage-totals" aria-label="Totals for the month">
                  <div class="card usage-stat">
                    <span class="usage-stat-label">Total tokens</span>
                    <strong class="usage-stat-value">
                      {formatTokens(loaded().byDay.total.promptTokens + loaded().byDay.total.completionTokens)}
                    </strong>
                    <span class="usage-stat-detail">
                      {formatTokens(loaded().byDay.total.promptTokens)} prompt ·{' '}
                      {formatTokens(loaded().byDay.total.completionTokens)} completion
                    </span>
                  </div>
                  <div class="card usage-stat">
                    <span class="usage-stat-label">Cost</span>
                    <strong class="usage-stat-value">{formatCost(loaded().byDay.total.cost)}</strong>
                    <span class="usage-stat-detail">as reported by the provider</span>
                  </div>
                </section>
                <p class="usage-note">
                  Every call is counted when it is paid, from the spend ledger: deleting a conversation does not take
                  back what it cost, and imported conversations are never counted here (the usage they recorded
                  elsewhere shows in the conversation, marked imported).
                </p>

                <section class="usage-section" aria-labelledby="usage-days">
                  <h2 id="usage-days">Per day (UTC)</h2>
                  <DayChart
                    days={daysOfMonth(month())}
                    rows={loaded().byDay.rows}
                    label={`Tokens per day in ${formatMonthName(month())}`}
                  />
                </section>

                <section class="usage-section" aria-labelledby="usage-models">
                  <h2 id="usage-models">Per model</h2>
                  <div class="usage-table-scroll">
                    <table class="usage-table reflow-table">
                      <thead>
                        <tr>
                          <th scope="col">Model</th>
                          <th scope="col">Prompt</th>
                          <th scope="col">Completion</th>
                          <th scope="col">Total</th>
                          <th scope="col">Cost</th>
                        </tr>
                      </thead>
                      <tbody>
                        <For each={byTotalTokens(loaded().byModel.rows)}>
                          {(row) => (
                            <tr>
                              <th scope="row">{row.key}</th>
                              <td data-label="Prompt">{formatTokens(row.promptTokens)}</td>
                              <td data-label="Completion">{formatTokens(row.completionTokens)}</td>
                              <td data-label="Total">{formatTokens(row.promptTokens + row.completionTokens)}</td>
                              <td data-label="Cost">{formatCost(row.cost)}</td>
                            </tr>
                          )}
                        </For>
                      </tbody>
                    </table>
                  </div>
                </section>

                <section class="usage-section" aria-labelledby="usage-top">
                  <h2 id="usage-top">Most expensive conversations</h2>
                  <ol class="usage-top">
                    <For each={loaded().top.items}>
                      {(item) => (
                        <li>
                          <A href={`/c/${item.conversationId}`}>{item.title}</A>
                          <span class="usage-top-numbers">
                            {formatTokens(item.promptTokens + item.completionTokens)} tokens · {formatCost(item.cost)}
                          </span>
                        </li>
                      )}
                    </For>
                  </ol>
                  <Show when={loaded().top.deletedConversations}>
                    {(deleted) => (
                      <p class="usage-deleted">
                        Deleted conversations:{' '}
                        <span class="usage-top-numbers">
                          {formatTokens(deleted().promptTokens + deleted().completionTokens)} tokens ·{' '}
                          {formatCost(deleted().cost)}
                        </span>{' '}
                        — deleting a conversation does not undo what it cost.
                      </p>
                    )}
                  </Show>
                </section>
              </>
            )}
          </Show>
        </Show>
      </Show>
    </div>
  );
}

function byTotalTokens<T extends { key: string; promptTokens: number; completionTokens: number }>(rows: T[]): T[] {
  const total = (row: T) => row.promptTokens + row.completionTokens;
  return [...rows].sort((a, b) => total(b) - total(a) || a.key.localeCompare(b.key));
}
