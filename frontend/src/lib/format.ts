// Numbers and dates as a rider reads them, in the window's language and units.
import { activityName, list, locale, number, t } from './i18n/index.svelte';

export function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** YYYY-MM-DD of a date in the computer's local time. */
export function dayKey(d: Date): string {
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
}

/** Local calendar day of an RFC 3339 time; '' when it cannot be read. */
export function dayOf(rfc3339: string): string {
  if (!rfc3339) return '';
  const d = new Date(rfc3339);
  return Number.isNaN(d.getTime()) ? '' : dayKey(d);
}

export function parseDay(key: string): Date {
  const [y, m, d] = key.split('-').map(Number);
  return new Date(y, m - 1, d);
}

/**
 * The one duration format: "1h 18m", "2h", "58m", and "40s" under a minute.
 * "–" when the length is not known.
 */
export function duration(seconds: number): string {
  if (!seconds || seconds < 0 || !Number.isFinite(seconds)) return '–';
  if (seconds < 59.5) return t('unit.s', { s: Math.round(seconds) });
  const total = Math.round(seconds / 60);
  const h = Math.floor(total / 60);
  const m = total % 60;
  if (h === 0) return t('unit.m', { m });
  return m === 0 ? t('unit.h', { h }) : t('unit.hm', { h, m });
}

/** Chips use the same format; empty rather than "–" where space is short. */
export function shortDuration(seconds: number): string {
  return !seconds || seconds < 0 ? '' : duration(seconds);
}

const METRES_PER_MILE = 1609.344;
const FEET_PER_METRE = 3.28084;

// Fewer decimals as distances grow: 8.42, 42.2, 120.
function decimals(n: number): number {
  return n < 10 ? 2 : n < 100 ? 1 : 0;
}

/** A distance in the rider's unit: "12.3 km" or "7.6 mi"; short ones in m or ft. */
export function distance(metres: number): string {
  if (!metres || metres <= 0 || !Number.isFinite(metres)) return '–';
  if (locale.units === 'mi') {
    const miles = metres / METRES_PER_MILE;
    if (miles < 0.1) return t('unit.feet', { n: Math.round(metres * FEET_PER_METRE) });
    return t('unit.mi', { n: number(miles, decimals(miles), decimals(miles)) });
  }
  if (metres < 1000) return t('unit.metres', { n: Math.round(metres) });
  const km = metres / 1000;
  return t('unit.km', { n: number(km, decimals(km), decimals(km)) });
}

/** The unit distances are shown in, for chart axes and headings. */
export function distanceUnit(): string {
  return locale.units;
}

export function timeLeft(seconds: number): string {
  if (!seconds || seconds <= 0 || !Number.isFinite(seconds)) return '';
  if (seconds < 60) return t('time.lessThanMinute');
  const m = Math.round(seconds / 60);
  if (m < 60) return t('time.aboutMin', { m });
  return t('time.aboutHourMin', { h: Math.floor(m / 60), m: pad2(m % 60) });
}

// Formatters per locale, made when first asked for: the language can change while the window is open.
const formats = new Map<string, Intl.DateTimeFormat>();
function fmt(name: string, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const id = `${locale.intl}|${name}`;
  let f = formats.get(id);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat(locale.intl, opts);
    } catch {
      f = new Intl.DateTimeFormat('en-US', opts);
    }
    formats.set(id, f);
  }
  return f;
}

function valid(rfc3339: string): Date | null {
  if (!rfc3339) return null;
  const d = new Date(rfc3339);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function date(rfc3339: string): string {
  const d = valid(rfc3339);
  return d ? fmt('date', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' }).format(d) : '–';
}

export function time(rfc3339: string): string {
  const d = valid(rfc3339);
  return d ? fmt('time', { hour: '2-digit', minute: '2-digit' }).format(d) : '';
}

export function dateTime(rfc3339: string): string {
  const d = valid(rfc3339);
  return d ? fmt('dateTime', { dateStyle: 'medium', timeStyle: 'short' }).format(d) : '–';
}

export function longDay(key: string): string {
  return fmt('longDay', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(parseDay(key));
}

/** "March 2024" in the window's language. */
export function monthTitle(d: Date): string {
  return fmt('monthTitle', { month: 'long', year: 'numeric' }).format(d);
}

/** The twelve month names, January first. */
export function monthNames(style: 'long' | 'short' = 'long'): string[] {
  const f = fmt(`month-${style}`, { month: style });
  return Array.from({ length: 12 }, (_, m) => f.format(new Date(2024, m, 1)));
}

/** Weekday names in the order the calendar shows them (from the rider's first day of the week). */
export function weekdayNames(style: 'long' | 'short' | 'narrow' = 'short'): string[] {
  const f = fmt(`weekday-${style}`, { weekday: style });
  // 7 January 2024 was a Sunday.
  return Array.from({ length: 7 }, (_, i) => f.format(new Date(2024, 0, 7 + ((i + locale.weekStart) % 7))));
}

/** An activity's name, or its sport and start time when it has none. */
export function nameOf(a: { name: string; sport: string; start: string }): string {
  return activityName(a, time);
}

/** A path cut after each folder separator, so it can wrap there (with <wbr>). */
export function pathParts(path: string): string[] {
  return path.split(/(?<=[\\/])/);
}

/** Starts a reason from the backend with a capital, leaving a brand written lower-case first, then capitals, alone. */
export function sentence(text: string): string {
  return /^[a-z][a-z ]/.test(text) ? text[0].toUpperCase() + text.slice(1) : text;
}

/** Where an activity already in Intervals.icu came from, unless its reason says so already: each thing is said once. */
export function viaUnsaid(a: { reason: string; matched_via: string }): string {
  return a.matched_via && !a.reason.toLowerCase().includes(a.matched_via.toLowerCase()) ? a.matched_via : '';
}

/** Orders text by code point: ISO dates, ids and keys, whatever the locale. */
export function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** What continuous sync will do, in one sentence, for the sources connected. */
export function continuousSentence(on: boolean, sources: string[]): string {
  if (!on) return t('settings.continuousOff');
  if (sources.length === 0) return t('settings.continuousNone');
  return t('settings.continuousOn', { sources: list(sources) });
}
