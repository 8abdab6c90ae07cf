import { fireEvent, screen, within } from '@solidjs/testing-library';
import { expect, test } from 'vitest';
import { clientFor, fakeTrpcServer, type FakeHandler } from '../testing/fake-trpc-fetch';
import { renderWithClient } from '../testing/render';
import { UsagePage } from './usage-page';

const byDay = {
  rows: [
    { key: '2026-10-02', promptTokens: 9000, completionTokens: 3000, cost: 0.25 },
    { key: '2026-10-15', promptTokens: 1500, completionTokens: 500, cost: null },
  ],
  total: { promptTokens: 10500, completionTokens: 3500, cost: 0.25 },
};
const byModel = {
  rows: [
    { key: 'anthropic/claude-sonnet-4.5', promptTokens: 500, completionTokens: 100, cost: 0.01 },
    { key: 'openai/gpt-5.1', promptTokens: 10000, completionTokens: 3400, cost: 0.24 },
  ],
  total: byDay.total,
};
const top = {
  items: [
    {
      conversationId: '5d1c5b8e-7a8e-4c1e-9d0b-0f4a2b7c9e11',
      title: 'Why is the sky blue?',
      key: '5d1c5b8e-7a8e-4c1e-9d0b-0f4a2b7c9e11',
      promptTokens: 9000,
      completionTokens: 3000,
      cost: 0.25,
    },
  ],
};
const empty = { rows: [], total: { promptTokens: 0, completionTokens: 0, cost: null } };

function renderUsage(location: string, handlers: Record<string, FakeHandler>) {
  const server = fakeTrpcServer(handlers);
  renderWithClient(() => <UsagePage />, clientFor(server), location);
  return server;
}

const withUsage: Record<string, FakeHandler> = {
  'usage.summary': (input) => ({ data: (input as { groupBy: string }).groupBy === 'day' ? byDay : byModel }),
  'usage.topConversations': () => ({ data: top }),
  'usage.storage': () => ({ data: { usedBytes: 3.5 * 1024 * 1024, maxBytes: 1024 * 1024 * 1024 } }),
};

test('the month shows its totals, a labelled bar per day with usage, the models by tokens and the costliest conversations', async () => {
  const server = renderUsage('/usage?month=2026-10', withUsage);

  const totals = await screen.findByRole('region', { name: 'Totals for the month' });
  expect(totals.textContent).toContain('14,000');
  expect(totals.textContent).toContain('10,500 prompt · 3,500 completion');
  expect(totals.textContent).toContain('$0.250');
  expect(screen.getByText('October 2026')).toBeTruthy();

  // The API was asked for October, in UTC, by day, by model and for the top conversations.
  const range = { from: '2026-10-01T00:00:00.000Z', to: '2026-11-01T00:00:00.000Z' };
  expect(server.calls.map((c) => [c.path, c.input])).toEqual(
    expect.arrayContaining([
      ['usage.summary', { ...range, groupBy: 'day' }],
      ['usage.summary', { ...range, groupBy: 'model' }],
      ['usage.topConversations', { ...range, limit: 10 }],
    ]),
  );

  const chart = screen.getByRole('group', { name: 'Tokens per day in October 2026' });
  const bars = within(chart).getAllByRole('img');
  expect(bars.map((b) => b.getAttribute('aria-label'))).toEqual([
    'Oct 2: 12,000 tokens (9,000 prompt, 3,000 completion), $0.250',
    'Oct 15: 2,000 tokens (1,500 prompt, 500 completion), no cost reported',
  ]);
  // The numbers are on the chart, not only in its accessible names; every day of the month is drawn.
  expect(bars.map((b) => b.querySelector('text')?.textContent)).toEqual(['12K', '2K']);
  expect(chart.querySelectorAll('.usage-day')).toHaveLength(31);
  const busiest = bars[0]?.querySelectorAll('rect');
  const quiet = bars[1]?.querySelectorAll('rect');
  const heightOf = (rects: NodeListOf<SVGRectElement> | undefined) =>
    [...(rects ?? [])].reduce((sum, r) => sum + Number(r.getAttribute('height')), 0);
  expect(heightOf(busiest) / heightOf(quiet)).toBeCloseTo(6, 5);

  const rows = within(screen.getByRole('table')).getAllByRole('row');
  expect(rows.map((r) => [...r.children].map((cell) => cell.textContent))).toEqual([
    ['Model', 'Prompt', 'Completion', 'Total', 'Cost'],
    ['openai/gpt-5.1', '10,000', '3,400', '13,400', '$0.240'],
    ['anthropic/claude-sonnet-4.5', '500', '100', '600', '$0.010'],
  ]);

  const link = screen.getByRole('link', { name: 'Why is the sky blue?' });
  expect(link.getAttribute('href')).toBe('/c/5d1c5b8e-7a8e-4c1e-9d0b-0f4a2b7c9e11');
  expect(link.parentElement?.textContent).toContain('12,000 tokens · $0.250');

  // A past month links both ways.
  expect(screen.getByRole('link', { name: '‹ Previous month' }).getAttribute('href')).toBe('/usage?month=2026-09');
  expect(screen.getByRole('link', { name: 'Next month ›' }).getAttribute('href')).toBe('/usage?month=2026-11');
});

test('a month without usage says so and offers to ask the council; the current month has no next', async () => {
  renderUsage('/usage', {
    'usage.summary': () => ({ data: empty }),
    'usage.topConversations': () => ({ data: { items: [] } }),
  });
  expect(await screen.findByText(/^No usage in/)).toBeTruthy();
  expect(screen.getByRole('link', { name: 'Ask the council' }).getAttribute('href')).toBe('/');
  expect(screen.queryByRole('table')).toBeNull();
  expect(screen.queryByRole('link', { name: 'Next month ›' })).toBeNull();
  expect(screen.getByText('Next month ›').getAttribute('aria-disabled')).toBe('true');
});

test('a failure to load is explained with a way to try again', async () => {
  renderUsage('/usage?month=2026-10', {
    'usage.summary': () => ({ error: { code: 'BAD_REQUEST', message: 'to must be after from' } }),
    'usage.topConversations': () => ({ data: { items: [] } }),
  });
  const alert = await screen.findByRole('alert');
  expect(alert.textContent).toContain('Could not load your usage: to must be after from');
  expect(within(alert).getByRole('button', { name: 'Try again' })).toBeTruthy();
});

test('Previous month loads that month and shows only its numbers', async () => {
  const isOctober = (input: unknown) => (input as { from: string }).from.startsWith('2026-10');
  const server = renderUsage('/usage?month=2026-10', {
    'usage.summary': (input) => ({
      data: isOctober(input) ? ((input as { groupBy: string }).groupBy === 'day' ? byDay : byModel) : empty,
    }),
    'usage.topConversations': (input) => ({ data: isOctober(input) ? top : { items: [] } }),
  });
  await screen.findByRole('region', { name: 'Totals for the month' });
  fireEvent.click(screen.getByRole('link', { name: '‹ Previous month' }));

  expect(await screen.findByText(/^No usage in September 2026/)).toBeTruthy();
  expect(screen.queryByRole('region', { name: 'Totals for the month' })).toBeNull();
  expect(screen.getByRole('link', { name: 'Next month ›' }).getAttribute('href')).toBe('/usage?month=2026-10');
  expect(server.calls.filter((c) => c.path === 'usage.summary').map((c) => (c.input as { from: string }).from)).toEqual(
    ['2026-10-01T00:00:00.000Z', '2026-10-01T00:00:00.000Z', '2026-09-01T00:00:00.000Z', '2026-09-01T00:00:00.000Z'],
  );
});

test('the page shows the storage used of the cap, whatever the month', async () => {
  renderUsage('/usage?month=2026-10', withUsage);
  const storage = await screen.findByRole('region', { name: 'Storage' });
  await within(storage).findByText('3.5 MB of 1,024 MB');
  expect(storage.textContent).toContain('0% used');
  expect(within(storage).getByRole('meter', { name: 'Storage used' }).getAttribute('value')).toBe(
    String(3.5 * 1024 * 1024),
  );
});
