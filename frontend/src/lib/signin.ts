// Sign-in errors as one plain sentence beside the form that failed.
import { escapeRegExp, reasonText } from './i18n/reasonText';

/**
 * The backend's message as one sentence: without the platform's name in
 * front as a label ("Platform sign-in: …", "Platform: …", the card already
 * names it) and only its first sentence.
 */
export function signInError(text: string, platform: string): string {
  const p = escapeRegExp(platform);
  let s = text.trim().replace(new RegExp(`^(${p}( sign-in)?\\s*[:,-]\\s*)+`, 'i'), '');
  if (!s) return text.trim();
  // The fixed sentence around the service's own words in the window's language.
  s = reasonText(s);
  // The first sentence: up to a full stop followed by a capital ("Intervals.icu" has none).
  const end = s.search(/[.!?]\s+(?=[A-Z])/);
  if (end > 0) s = s.slice(0, end + 1);
  // A capital to start, unless it starts with a name spelt with a small letter first.
  if (/^[a-z][a-z ]/.test(s)) s = s[0].toUpperCase() + s.slice(1);
  return s;
}
