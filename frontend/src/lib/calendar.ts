// Date arithmetic for the month and year grids. Weeks start on Monday, as in
// Intervals.icu, or on Sunday when the rider says so in Settings.
import { byText, dayKey, dayOf } from './format';
import { locale } from './i18n/index.svelte';

export interface DayCell {
  key: string; // YYYY-MM-DD
  date: Date;
  inMonth: boolean;
}

/** Place of a day in the rider's week: 0 for the first day (Monday or Sunday) … 6. */
export function weekday(d: Date): number {
  return (d.getDay() + 7 - locale.weekStart) % 7;
}

export function addDays(d: Date, n: number): Date {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + n);
}

export function startOfMonth(d: Date): Date {
  return new Date(d.getFullYear(), d.getMonth(), 1);
}

export function addMonths(d: Date, n: number): Date {
  return new Date(d.getFullYear(), d.getMonth() + n, 1);
}

/** The weeks shown for a month: whole weeks covering it, from the rider's first day. */
export function monthWeeks(month: Date): DayCell[][] {
  const first = startOfMonth(month);
  const start = addDays(first, -weekday(first));
  const weeks: DayCell[][] = [];
  let d = start;
  do {
    const week: DayCell[] = [];
    for (let i = 0; i < 7; i++) {
      week.push({ key: dayKey(d), date: d, inMonth: d.getMonth() === first.getMonth() });
      d = addDays(d, 1);
    }
    weeks.push(week);
  } while (d.getMonth() === first.getMonth());
  return weeks;
}

/** First and last day keys a month grid shows. */
export function monthRange(month: Date): { since: string; until: string } {
  const weeks = monthWeeks(month);
  return { since: weeks[0][0].key, until: weeks[weeks.length - 1][6].key };
}

export function yearRange(year: number): { since: string; until: string } {
  return { since: `${year}-01-01`, until: `${year}-12-31` };
}

/** Groups items by the local day of their start, each day sorted by time. */
export function byDay<T extends { start: string }>(items: T[]): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const it of items) {
    const k = dayOf(it.start);
    if (!k) continue;
    const list = map.get(k);
    if (list) list.push(it);
    else map.set(k, [it]);
  }
  for (const list of map.values()) list.sort((a, b) => byText(a.start, b.start));
  return map;
}

/** Every day key from a to b inclusive, in either order. */
export function daysBetween(a: string, b: string): string[] {
  const [lo, hi] = a <= b ? [a, b] : [b, a];
  const out: string[] = [];
  const [y, m, d] = lo.split('-').map(Number);
  let cur = new Date(y, m - 1, d);
  for (let guard = 0; guard < 4000; guard++) {
    const k = dayKey(cur);
    out.push(k);
    if (k >= hi) break;
    cur = addDays(cur, 1);
  }
  return out;
}

/**
 * Shift+mousedown on a day would otherwise start selecting the page's text
 * from the last click to here; the range of days is the selection wanted.
 * The day still takes focus, as a plain click gives it.
 */
export function keepTextUnselected(e: MouseEvent) {
  if (!e.shiftKey) return;
  e.preventDefault();
  (e.currentTarget as HTMLElement | null)?.focus();
}
