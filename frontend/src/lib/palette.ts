// Colours per source and marks per state, shared by the calendar, list, legend and drawer.

import { sourcesStore } from '../stores/sources.svelte';
import type { State } from './types';

// Each source declares its colour-blind friendly hue (SourceInfo.color) and
// keeps it everywhere.
const SPARE = ['#cc79a7', '#3d9970', '#b8860b', '#4169e1', '#a0522d', '#2f8f9d'];

export function sourceColor(name: string): string {
  const declared = sourcesStore.byName(name)?.color;
  if (declared) return declared;
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
  return SPARE[h % SPARE.length];
}

export interface StateInfo {
  /** Filter group the state belongs to. */
  group: StateGroup;
  label: string;
  icon: string;
  tone: 'ok' | 'info' | 'warn' | 'bad' | 'muted';
}

export type StateGroup =
  | 'already'
  | 'ready'
  | 'uploaded'
  | 'failed'
  | 'review'
  | 'skipped'
  | 'unreadable'
  | 'not_activity';

// One entry per state the engine sends (State is generated from the Go
// states): a state added there fails the type check until it is given here.
// The "Needs a look" group is for a state held for the rider's review.
const STATES: Record<State, StateInfo> = {
  already_in_intervals: { group: 'already', label: 'Already in Intervals.icu', icon: '◎', tone: 'info' },
  discovered: { group: 'ready', label: 'Found, not downloaded yet', icon: '○', tone: 'muted' },
  ready: { group: 'ready', label: 'Ready to upload', icon: '●', tone: 'muted' },
  uploaded: { group: 'uploaded', label: 'Uploaded', icon: '✓', tone: 'ok' },
  failed: { group: 'failed', label: 'Failed', icon: '✕', tone: 'bad' },
  needs_review: { group: 'review', label: 'Needs review', icon: '!', tone: 'warn' },
  skipped: { group: 'skipped', label: 'Skipped', icon: '–', tone: 'muted' },
  unreadable: { group: 'unreadable', label: 'Unreadable file', icon: '?', tone: 'bad' },
  not_an_activity: { group: 'not_activity', label: 'Not an activity', icon: '⊘', tone: 'muted' },
};

export function stateInfo(state: string): StateInfo {
  return STATES[state as State] ?? { group: 'ready', label: state || 'Unknown', icon: '·', tone: 'muted' };
}

export const STATE_GROUPS: { id: StateGroup; label: string; icon: string; tone: StateInfo['tone'] }[] = [
  { id: 'already', label: 'Already in Intervals.icu', icon: '◎', tone: 'info' },
  { id: 'ready', label: 'Ready', icon: '●', tone: 'muted' },
  { id: 'uploaded', label: 'Uploaded', icon: '✓', tone: 'ok' },
  { id: 'failed', label: 'Failed', icon: '✕', tone: 'bad' },
  { id: 'review', label: 'Needs review', icon: '!', tone: 'warn' },
  { id: 'skipped', label: 'Skipped', icon: '–', tone: 'muted' },
  { id: 'unreadable', label: 'Unreadable', icon: '?', tone: 'bad' },
  { id: 'not_activity', label: 'Not an activity', icon: '⊘', tone: 'muted' },
];

/** Reason prefix of an activity the rider keeps out of Intervals.icu (store.KeptOutReason). */
export const KEPT_OUT = 'kept out';

/** A skipped activity the rider chose to keep out ("Upload anyway" sends it). */
export function isKeptOut(a: { state: string; reason: string }): boolean {
  return a.state === 'skipped' && a.reason.startsWith(KEPT_OUT);
}

/** States an "Upload" can still act on. */
export function canUpload(a: { state: State; permanent: boolean; reason?: string }): boolean {
  if (a.state === 'skipped') return !a.permanent || isKeptOut({ state: a.state, reason: a.reason ?? '' });
  return (['discovered', 'ready', 'failed', 'needs_review'] as State[]).includes(a.state);
}

export const PHASES: Record<string, string> = {
  idle: 'Not started yet',
  listing: 'Finding your activities',
  // The backend downloads, matches and uploads side by side under this one phase.
  syncing: 'Bringing your activities into Intervals.icu',
  downloading: 'Downloading files',
  matching: 'Checking what Intervals.icu already has',
  uploading: 'Uploading to Intervals.icu',
  done: 'Finished',
  cancelled: 'Stopped',
  needs_sign_in: 'Waiting for you to sign in again',
};
