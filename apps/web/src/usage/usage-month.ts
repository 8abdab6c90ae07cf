/*
 * The month the Usage page shows. The server groups usage by UTC day, so months are UTC months
 * too: a run at 00:30 in Paris on the 1st belongs to the previous month, as its day bar does.
 */

/** A calendar month; `month` is 1–12. */
export interface Month {
  year: number;
  month: number;
}

const MONTH_PARAM = /^(\d{4})-(0[1-9]|1[0-2])$/;
const monthName = new Intl.DateTimeFormat('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });
const dayName = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });

export function currentMonth(now: Date = new Date()): Month {
  return { year: now.getUTCFullYear(), month: now.getUTCMonth() + 1 };
}

/** `?month=2026-11` → that month; anything else (missing, malformed) → undefined. */
export function parseMonth(value: string | undefined): Month | undefined {
  const match = value ? MONTH_PARAM.exec(value) : null;
  return match ? { year: Number(match[1]), month: Number(match[2]) } : undefined;
}

/** "2026-11": the URL form. */
export function formatMonthParam(m: Month): string {
  return `${m.year}-${String(m.month).padStart(2, '0')}`;
}

/** "November 2026" */
export function formatMonthName(m: Month): string {
  return monthName.format(new Date(Date.UTC(m.year, m.month - 1, 1)));
}

/** "Nov 2" for a day key "2026-11-02". */
export function formatDayName(key: string): string {
  return dayName.format(new Date(`${key}T00:00:00Z`));
}

export function shiftMonth(m: Month, by: number): Month {
  const date = new Date(Date.UTC(m.year, m.month - 1 + by, 1));
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1 };
}

export function compareMonths(a: Month, b: Month): number {
  return a.year - b.year || a.month - b.month;
}

/** The month as the API's range: `from` its first instant, `to` the next month's first (exclusive). */
export function monthRange(m: Month): { from: string; to: string } {
  return {
    from: new Date(Date.UTC(m.year, m.month - 1, 1)).toISOString(),
    to: new Date(Date.UTC(m.year, m.month, 1)).toISOString(),
  };
}

/** Every day of the month as the server keys them: "2026-11-01" … "2026-11-30". */
export function daysOfMonth(m: Month): string[] {
  const count = new Date(Date.UTC(m.year, m.month, 0)).getUTCDate();
  const prefix = formatMonthParam(m);
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(i + 1).padStart(2, '0')}`);
}
