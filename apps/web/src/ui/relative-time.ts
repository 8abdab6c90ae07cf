import { createRoot, createSignal, onCleanup } from 'solid-js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'short' });
const sameYear = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const otherYear = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
const full = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** "just now", "5 min. ago", "3 hr. ago", "yesterday", then a date ("Mar 4"). */
export function formatRelativeTime(iso: string, now: number): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '';
  const elapsed = now - then;
  if (elapsed < MINUTE) return 'just now';
  if (elapsed < HOUR) return relative.format(-Math.floor(elapsed / MINUTE), 'minute');
  if (elapsed < DAY) return relative.format(-Math.floor(elapsed / HOUR), 'hour');
  if (elapsed < 7 * DAY) return relative.format(-Math.floor(elapsed / DAY), 'day');
  const date = new Date(then);
  return (date.getFullYear() === new Date(now).getFullYear() ? sameYear : otherYear).format(date);
}

/** The exact time, for a tooltip next to a relative one. */
export function formatFullTime(iso: string): string {
  const then = Date.parse(iso);
  return Number.isNaN(then) ? '' : full.format(new Date(then));
}

// One shared clock for every "5 min ago" on screen, ticking once a minute.
let clock: { now: () => number; catchUp: () => void } | undefined;

export function useMinuteClock(): () => number {
  clock ??= createRoot(() => {
    const [now, setNow] = createSignal(Date.now());
    const timer = setInterval(() => setNow(Date.now()), MINUTE);
    onCleanup(() => clearInterval(timer));
    return { now, catchUp: () => setNow(Date.now()) };
  });
  // A view shown between two ticks starts from the current time, not from the last tick's.
  clock.catchUp();
  return clock.now;
}
