// The backend's sentences in the window's language. The backend stores and
// sends English (the command line and logs keep it); each sentence it writes
// through a template (backend/reason) is recognised here by that template's
// English, with its placeholders as captures, and said again from the
// catalogue's reason.* text. A sentence no template knows stays English.
import { reasonsEn } from '../reasons';
import { t, type Key } from './index.svelte';

type Pattern = { key: Key; re: RegExp; names: string[]; literal: number; head: string; tail: string };

const PLACEHOLDER = /\{(\w+)\}/g;

/** s as a regular expression that matches it literally. */
export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function pattern(key: Key, en: string): Pattern {
  const names: string[] = [];
  let src = '';
  let literal = 0;
  let at = 0;
  for (const m of en.matchAll(PLACEHOLDER)) {
    const text = en.slice(at, m.index);
    src += escapeRegExp(text);
    literal += text.length;
    // Greedy, and empty allowed ({from} is "" when Intervals.icu names no origin).
    src += '(.*)';
    names.push(m[1]);
    at = m.index + m[0].length;
  }
  src += escapeRegExp(en.slice(at));
  literal += en.length - at;
  const first = en.search(PLACEHOLDER);
  const head = first < 0 ? en : en.slice(0, first);
  return { key, re: new RegExp(`^${src}$`, 's'), names, literal, head, tail: en.slice(at) };
}

// The most specific template first: "already in Intervals.icu{from} (started
// {apart}; Strava hides…)" before "already in Intervals.icu{from} (started {apart})".
const PATTERNS: Pattern[] = Object.entries(reasonsEn)
  .map(([key, en]) => pattern(key as Key, en))
  .sort((a, b) => b.literal - a.literal);

/** Parts of a composed sentence are joined as backend/reason.Parts joins them. */
const PARTS_SEP = ', ';

/** Nested sentences go a few levels deep at most ("1 of 2 parts: … from a file upload …"). */
const MAX_DEPTH = 5;

/**
 * A reason or repaired text from the backend in the window's language:
 * "repaired: the file ended early, 3 minutes of records kept" becomes
 * "repariert: die Datei endete vorzeitig, 3 Minuten …" in German (sentence()
 * capitalises it where it starts a line); what varies (numbers, names, paths) is kept,
 * and values that are sentences themselves are said again too. An unknown
 * sentence comes back as it is.
 */
export function reasonText(text: string): string {
  return said(text, 0);
}

function said(text: string, depth: number): string {
  if (!text || depth > MAX_DEPTH) return text;
  for (const p of PATTERNS) {
    // The fixed start and end first: cheap, and the captures then only search what lies between.
    if (!text.startsWith(p.head) || !text.endsWith(p.tail) || text.length < p.literal) continue;
    const m = p.re.exec(text);
    if (!m) continue;
    const params: Record<string, string> = {};
    p.names.forEach((name, i) => (params[name] = value(m[i + 1], depth + 1)));
    return t(p.key, params);
  }
  return text;
}

/** A captured value: a sentence of its own, a list of parts, or a value kept as it is. */
function value(v: string, depth: number): string {
  const whole = said(v, depth);
  if (whole !== v || !v.includes(PARTS_SEP)) return whole;
  return v
    .split(PARTS_SEP)
    .map((part) => said(part, depth))
    .join(PARTS_SEP);
}
