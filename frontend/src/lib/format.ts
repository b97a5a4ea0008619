// Numbers and dates as a rider reads them.

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

export function duration(seconds: number): string {
  if (!seconds || seconds < 0) return '–';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${h}h ${pad2(m)}m`;
  const sec = s % 60;
  return m > 0 ? `${m}m${sec ? ` ${pad2(sec)}s` : ''}` : `${sec}s`;
}

/** Short form for calendar chips: 2:17 or 37m. */
export function shortDuration(seconds: number): string {
  if (!seconds || seconds < 0) return '';
  const m = Math.round(seconds / 60);
  return m >= 60 ? `${Math.floor(m / 60)}:${pad2(m % 60)}` : `${m}m`;
}

export function distance(metres: number): string {
  if (!metres || metres <= 0) return '–';
  if (metres < 1000) return `${Math.round(metres)} m`;
  return `${(metres / 1000).toFixed(metres < 10000 ? 2 : 1)} km`;
}

export function timeLeft(seconds: number): string {
  if (!seconds || seconds <= 0 || !Number.isFinite(seconds)) return '';
  if (seconds < 60) return 'less than a minute';
  const m = Math.round(seconds / 60);
  if (m < 60) return `about ${m} min`;
  const h = Math.floor(m / 60);
  return `about ${h} h ${pad2(m % 60)} min`;
}

// The system's language, unless the engine rejects it (a Linux session in the
// POSIX locale reports "C"): then English rather than an empty window.
function safeLocale(): string | undefined {
  try {
    const lang = globalThis.navigator?.language;
    if (lang) Intl.getCanonicalLocales(lang);
    new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }).format(0);
    new Intl.NumberFormat(undefined).format(1);
    return undefined;
  } catch {
    return 'en-US';
  }
}
const locale = safeLocale();

const dateFmt = new Intl.DateTimeFormat(locale, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });
const timeFmt = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' });
const dateTimeFmt = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
const longDayFmt = new Intl.DateTimeFormat(locale, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });

function valid(rfc3339: string): Date | null {
  if (!rfc3339) return null;
  const d = new Date(rfc3339);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function date(rfc3339: string): string {
  const d = valid(rfc3339);
  return d ? dateFmt.format(d) : '–';
}

export function time(rfc3339: string): string {
  const d = valid(rfc3339);
  return d ? timeFmt.format(d) : '';
}

export function dateTime(rfc3339: string): string {
  const d = valid(rfc3339);
  return d ? dateTimeFmt.format(d) : '–';
}

export function longDay(key: string): string {
  return longDayFmt.format(parseDay(key));
}

/** Starts a reason from the backend with a capital, leaving a brand written lower-case first, then capitals, alone. */
export function sentence(text: string): string {
  return /^[a-z][a-z ]/.test(text) ? text[0].toUpperCase() + text.slice(1) : text;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Orders text by code point: ISO dates, ids and keys, whatever the locale. */
export function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Names in a sentence: "A", "A and B", "A, B and C". */
export function andList(names: string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** What continuous sync will do, in one sentence, for the sources connected. */
export function continuousSentence(on: boolean, sources: string[]): string {
  if (!on) return 'Continuous sync is off: nothing goes to Intervals.icu unless you start a run or upload a selection.';
  if (sources.length === 0) return 'Once a source is connected, its new rides go to Intervals.icu from then on; what it already holds stays out until you choose it.';
  return `From now on, new rides from ${andList(sources)} go to Intervals.icu; what they already held stays out unless you backfill it or upload a selection.`;
}
