/** One day's usage as `usage.summary({ groupBy: 'day' })` returns it (`key` is "YYYY-MM-DD"). */
export interface DayUsage {
  key: string;
  promptTokens: number;
  completionTokens: number;
  cost: number | null;
}

/** A stacked bar: prompt tokens at the bottom, completion tokens on top, in SVG user units. */
export interface DayBar extends DayUsage {
  /** Day of the month, 1-based. */
  day: number;
  total: number;
  x: number;
  width: number;
  prompt: { y: number; height: number };
  completion: { y: number; height: number };
  /** Where the number above the bar sits (its baseline). */
  labelY: number;
}

export interface ChartBox {
  width: number;
  height: number;
  /** Room above the tallest bar for its number. */
  top: number;
  /** Room below the baseline for the day numbers. */
  bottom: number;
  /** Share of each day's slot left empty between bars (0–1). */
  gap: number;
}

export const DEFAULT_BOX: ChartBox = { width: 720, height: 220, top: 18, bottom: 20, gap: 0.25 };

/** The tallest bar is the plot's full height; a day with any usage is at least one unit tall. */
const MIN_VISIBLE_HEIGHT = 1;

/**
 * Lays out one bar per day of `days` (every day of the month, in order), scaled to the busiest
 * day. Days without a row get an empty bar (height 0), so the month keeps its shape.
 */
export function layoutDayBars(days: string[], rows: DayUsage[], box: ChartBox = DEFAULT_BOX): DayBar[] {
  const byKey = new Map(rows.map((row) => [row.key, row]));
  const totals = days.map((key) => {
    const row = byKey.get(key);
    return row ? row.promptTokens + row.completionTokens : 0;
  });
  const max = Math.max(0, ...totals);
  const plotHeight = box.height - box.top - box.bottom;
  const baseline = box.height - box.bottom;
  const slot = days.length > 0 ? box.width / days.length : 0;
  const width = slot * (1 - box.gap);

  return days.map((key, i) => {
    const row = byKey.get(key) ?? { key, promptTokens: 0, completionTokens: 0, cost: null };
    const total = totals[i] ?? 0;
    const height = total === 0 ? 0 : Math.max(MIN_VISIBLE_HEIGHT, (total / max) * plotHeight);
    const promptHeight = total === 0 ? 0 : (row.promptTokens / total) * height;
    const promptY = baseline - promptHeight;
    const completionHeight = height - promptHeight;
    return {
      ...row,
      day: i + 1,
      total,
      x: i * slot + (slot - width) / 2,
      width,
      prompt: { y: promptY, height: promptHeight },
      completion: { y: promptY - completionHeight, height: completionHeight },
      labelY: baseline - height - 4,
    };
  });
}
