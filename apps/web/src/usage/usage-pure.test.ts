import { expect, test } from 'vitest';
import { layoutDayBars, type ChartBox } from './day-bars';
import { describeDay } from './day-chart';
import { describeUsage, formatCost, formatTokens, formatTokensShort } from './usage-format';
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

// The Usage page's pure pieces: bar geometry, number formats and the month arithmetic.

const box: ChartBox = { width: 300, height: 120, top: 10, bottom: 10, gap: 0.2 };
const row = (key: string, promptTokens: number, completionTokens: number, cost: number | null = null) => ({
  key,
  promptTokens,
  completionTokens,
  cost,
});

test('the busiest day fills the plot; others scale to it; prompt sits under completion on the baseline', () => {
  const days = ['2026-11-01', '2026-11-02', '2026-11-03'];
  const bars = layoutDayBars(days, [row('2026-11-01', 750, 250), row('2026-11-03', 400, 100)], box);
  expect(bars.map((b) => [b.key, b.day, b.total])).toEqual([
    ['2026-11-01', 1, 1000],
    ['2026-11-02', 2, 0],
    ['2026-11-03', 3, 500],
  ]);
  const [busiest, empty, half] = bars;
  // Plot height: 120 - 10 - 10 = 100; baseline at y = 110.
  expect(busiest?.prompt).toEqual({ y: 35, height: 75 });
  expect(busiest?.completion).toEqual({ y: 10, height: 25 });
  expect(busiest?.labelY).toBe(6);
  expect(half?.prompt).toEqual({ y: 70, height: 40 });
  expect(half?.completion).toEqual({ y: 60, height: 10 });
  expect(empty?.prompt.height).toBe(0);
  expect(empty?.completion.height).toBe(0);
  // Three slots of 100 units; each bar 80 wide, centred in its slot.
  expect(bars.map((b) => [b.x, b.width])).toEqual([
    [10, 80],
    [110, 80],
    [210, 80],
  ]);
});

test('a tiny day next to a huge one stays visible, and a month without usage draws no bars', () => {
  const [huge, tiny] = layoutDayBars(['d1', 'd2'], [row('d1', 1_000_000, 0), row('d2', 1, 0)], box);
  expect(huge?.prompt.height).toBe(100);
  expect(tiny?.prompt.height).toBe(1);
  const none = layoutDayBars(['d1', 'd2'], [], box);
  expect(none.every((b) => b.total === 0 && b.prompt.height === 0 && Number.isFinite(b.labelY))).toBe(true);
  // A row for a day outside the month (it cannot come from the server for this range) is ignored.
  expect(layoutDayBars(['d1'], [row('d9', 5, 5)], box)[0]?.total).toBe(0);
});

test('token counts and costs read well at every size', () => {
  expect(formatTokens(1234567)).toBe('1,234,567');
  expect(formatTokensShort(950)).toBe('950');
  expect(formatTokensShort(12_345)).toBe('12.3K');
  expect(formatTokensShort(2_000_000)).toBe('2M');
  expect(formatCost(null)).toBe('no cost reported');
  expect(formatCost(0)).toBe('$0');
  expect(formatCost(12.345)).toBe('$12.35');
  expect(formatCost(0.1234)).toBe('$0.123');
  expect(formatCost(0.00421)).toBe('$0.0042');
  expect(formatCost(0.0000042)).toBe('$0.000004');
  expect(describeUsage({ promptTokens: 1234, completionTokens: 567, cost: 0.5 })).toBe(
    '1,801 tokens (1,234 prompt, 567 completion) · $0.500',
  );
  expect(describeDay({ ...row('2026-11-02', 1000, 24, 0.01), total: 1024 })).toBe(
    'Nov 2: 1,024 tokens (1,000 prompt, 24 completion), $0.010',
  );
});

test('months are UTC months: ranges, days, names, and moving across a year', () => {
  const november = { year: 2026, month: 11 };
  expect(monthRange(november)).toEqual({ from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' });
  expect(monthRange({ year: 2026, month: 12 }).to).toBe('2027-01-01T00:00:00.000Z');
  expect(daysOfMonth(november)).toHaveLength(30);
  expect(daysOfMonth(november)[0]).toBe('2026-11-01');
  expect(daysOfMonth({ year: 2028, month: 2 })).toHaveLength(29);
  expect(daysOfMonth({ year: 2026, month: 2 }).at(-1)).toBe('2026-02-28');
  expect(formatMonthName(november)).toBe('November 2026');
  expect(shiftMonth({ year: 2026, month: 1 }, -1)).toEqual({ year: 2025, month: 12 });
  expect(shiftMonth({ year: 2026, month: 12 }, 1)).toEqual({ year: 2027, month: 1 });
  expect(formatMonthParam({ year: 2026, month: 3 })).toBe('2026-03');
  expect(parseMonth('2026-03')).toEqual({ year: 2026, month: 3 });
  for (const bad of [undefined, '', '2026-13', '2026-3', '26-03', '2026-03-01', 'x'])
    expect(parseMonth(bad)).toBe(undefined);
  // 23:30 on Oct 31 in UTC-2 is already November in UTC.
  expect(currentMonth(new Date('2026-11-01T01:30:00Z'))).toEqual(november);
  expect(compareMonths(november, { year: 2027, month: 1 })).toBeLessThan(0);
  expect(compareMonths(november, november)).toBe(0);
});
