// The window's words: a typed key, its English text in en.ts and every other
// language's in a catalogue of the same shape. Numbers, dates and names of
// months and days come from Intl in the same language.
import { de } from './de';
import { en, type Messages } from './en';

export type { Messages };
export type Key = keyof Messages;
export type Lang = 'en' | 'de';
export const LANGUAGES: Lang[] = ['en', 'de'];

const CATALOGUES: Record<Lang, Messages> = { en, de };

/** Keys that come in a .one and an .other form. */
type PluralBase<K> = K extends `${infer B}.one` ? (`${B}.other` extends Key ? B : never) : never;
export type PluralKey = PluralBase<Key>;

type Params = Record<string, string | number>;

function systemLocale(): string {
  try {
    const lang = globalThis.navigator?.language;
    if (lang) return Intl.getCanonicalLocales(lang)[0];
  } catch {
    // A Linux session in the POSIX locale reports "C": English then.
  }
  return 'en-US';
}

function langOf(locale: string): Lang {
  const base = locale.toLowerCase().split('-')[0];
  return (LANGUAGES as string[]).includes(base) ? (base as Lang) : 'en';
}

class Locale {
  /** The rider's choice; '' follows the system. */
  choice = $state<Lang | ''>('');
  private system = $state(systemLocale());

  /** The system's own language, when FitBridge has it; else English. */
  systemLang = $derived<Lang>(langOf(this.system));
  lang = $derived<Lang>(this.choice || this.systemLang);

  /** The locale Intl formats with: the system's own when it speaks the language shown. */
  intl = $derived(langOf(this.system) === this.lang ? this.system : this.lang);

  /** Distances: the rider's choice in Settings, else the Intervals.icu athlete's, else kilometres. */
  chosenUnits = $state<'km' | 'mi' | ''>('');
  athleteUnits = $state<'km' | 'mi' | ''>('');
  units = $derived<'km' | 'mi'>(this.chosenUnits || this.athleteUnits || 'km');

  /** First day of the week: 1 Monday (as Intervals.icu), 0 Sunday. */
  weekStart = $state<0 | 1>(1);

  /** For tests: the system's locale as the browser would report it. */
  setSystem(locale: string) {
    this.system = locale;
  }
}

export const locale = new Locale();

function fill(text: string, params?: Params): string {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => {
    const v = params[name];
    if (v === undefined) return m;
    return typeof v === 'number' ? number(v) : v;
  });
}

/** The text for a key in the window's language, with {name} filled in. */
export function t(key: Key, params?: Params): string {
  return fill(CATALOGUES[locale.lang][key] ?? en[key], params);
}

/** A counted phrase: "1 activity", "3 activities"; {n} is the count. */
export function tn(base: PluralKey, n: number, params?: Params): string {
  const rule = new Intl.PluralRules(locale.intl).select(n) === 'one' ? 'one' : 'other';
  return t(`${base}.${rule}` as Key, { n, ...params });
}

/** Whether a key exists: for texts named by data (states, phases, sports). */
export function has(key: string): key is Key {
  return key in en;
}

const numberFormats = new Map<string, Intl.NumberFormat>();
/** A number as the rider writes it (1,234.5 or 1.234,5). */
export function number(n: number, maxFraction = 0, minFraction = 0): string {
  const id = `${locale.intl}|${maxFraction}|${minFraction}`;
  let f = numberFormats.get(id);
  if (!f) {
    f = new Intl.NumberFormat(locale.intl, { maximumFractionDigits: maxFraction, minimumFractionDigits: minFraction });
    numberFormats.set(id, f);
  }
  return f.format(n);
}

/** An activity's state as the window says it. */
export function stateLabel(state: string): string {
  const k = `state.${state}`;
  return has(k) ? t(k) : state || '–';
}

/** A filter group's name. */
export function groupLabel(group: string): string {
  const k = `group.${group}`;
  return has(k) ? t(k) : group;
}

/** A run's phase. */
export function phaseLabel(phase: string): string {
  const k = `phase.${phase}`;
  return has(k) ? t(k) : phase;
}

/** A source's listing so far: "listing: page 3, 60 found" while it reads pages, "listing: 60 found" without (a folder). */
export function listingLabel(found: number, page: number): string {
  return page > 0 ? t('backfill.listingPage', { page, n: found }) : t('backfill.listing', { n: found });
}

/**
 * What to call an activity: its own name, else (trainer-app and device files carry
 * none) its sport and start time, "Virtual ride 07:30", never the file name.
 */
export function activityName(a: { name: string; sport: string; start: string }, time: (s: string) => string): string {
  if (a.name) return a.name;
  const when = time(a.start);
  const sport = a.sport ? sportLabel(a.sport) : t('list.activityFallback');
  return when ? t('name.sportAt', { sport, time: when }) : sport;
}

/** A sport as files and services name it ("VirtualRide", "cycling"); unknown names stay as they are. */
export function sportLabel(sport: string): string {
  if (!sport) return t('sport.unknown');
  const k = `sport.${sport}`;
  return has(k) ? t(k) : sport;
}

/** Names joined as the language joins them: "A, B and C", "A, B oder C". */
export function list(items: string[], conjunction: 'and' | 'or' = 'and'): string {
  if (items.length < 2) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} ${t(conjunction === 'and' ? 'list.and' : 'list.or')} ${items[items.length - 1]}`;
}

export type Segment = { text: string; tag: '' | 'strong' | 'code' };

/**
 * A catalogue text with **names** to stress and `codes` to set apart, in the
 * pieces a template shows: translators move the marks with the words.
 */
export function rich(text: string): Segment[] {
  const out: Segment[] = [];
  const re = /\*\*(.+?)\*\*|`(.+?)`/g;
  let at = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > at) out.push({ text: text.slice(at, m.index), tag: '' });
    out.push(m[1] !== undefined ? { text: m[1], tag: 'strong' } : { text: m[2], tag: 'code' });
    at = m.index + m[0].length;
  }
  if (at < text.length) out.push({ text: text.slice(at), tag: '' });
  return out;
}
