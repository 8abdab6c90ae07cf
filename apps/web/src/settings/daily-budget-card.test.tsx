import { fireEvent, screen, within } from '@solidjs/testing-library';
import { expect, test } from 'vitest';
import { clientFor, fakeTrpcServer, type FakeHandler } from '../testing/fake-trpc-fetch';
import { renderWithClient } from '../testing/render';
import { DailyBudgetCard } from './daily-budget-card';

const day = { usedTokens: 1200, usedUsd: 0.0123, reservedTokens: 0, reservedUsd: 0 };
const budgets = (own: { tokenCap: number | null; usdCap: number | null }, isAvailable = false) => ({
  own: { ...day, ...own },
  server: { ...day, usedTokens: 0, usedUsd: 0, tokenCap: 200000, usdCap: null, isAvailable, maxTokensPerCall: 4000 },
});

function renderCard(handlers: Record<string, FakeHandler>) {
  const server = fakeTrpcServer(handlers);
  renderWithClient(() => <DailyBudgetCard />, clientFor(server));
  return server;
}

test("the card shows today's use against the caps and saves a new cap without clearing the other", async () => {
  const server = renderCard({
    'settings.dailyBudget': () => ({ data: budgets({ tokenCap: 5000, usdCap: 1 }, true) }),
    'settings.setDailyBudget': () => ({ data: budgets({ tokenCap: 8000, usdCap: 1 }) }),
  });
  const card = await screen.findByRole('region', { name: 'Daily budget' });
  expect(await within(card).findByText('1,200 of 5,000 tokens · $0.0123 of $1.00')).toBeTruthy();
  expect(card.textContent).toContain("On this server's key: 0 of 200,000 tokens · $0.0000");
  const tokens = within(card).getByLabelText<HTMLInputElement>('Tokens per day');
  expect(tokens.value).toBe('5000');
  fireEvent.input(tokens, { target: { value: '8000' } });
  fireEvent.click(within(card).getByRole('button', { name: 'Save daily cap' }));
  expect((await within(card).findByRole('status')).textContent).toBe('Daily cap saved.');
  expect(server.calls.find((c) => c.path === 'settings.setDailyBudget')?.input).toEqual({ tokens: 8000, usd: 1 });
  expect(within(card).getByText('1,200 of 8,000 tokens · $0.0123 of $1.00')).toBeTruthy();
});

test('a refused cap is shown on its field; the server key line is absent when it does not serve the user', async () => {
  renderCard({
    'settings.dailyBudget': () => ({ data: budgets({ tokenCap: null, usdCap: null }) }),
    'settings.setDailyBudget': () => ({
      error: { code: 'BAD_REQUEST', message: 'tokens: too small', fieldErrors: { tokens: ['Must be at least 1'] } },
    }),
  });
  const card = await screen.findByRole('region', { name: 'Daily budget' });
  expect(await within(card).findByText('1,200 tokens · $0.0123')).toBeTruthy();
  expect(card.textContent).not.toContain("server's key");
  fireEvent.input(within(card).getByLabelText('Tokens per day'), { target: { value: '0' } });
  fireEvent.click(within(card).getByRole('button', { name: 'Save daily cap' }));
  expect(await within(card).findByText('Must be at least 1')).toBeTruthy();
});
