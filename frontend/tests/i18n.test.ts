// The window in German: every catalogue key has its German text, the screens
// take their words from the catalogue (no English written into a template),
// and each screen rendered in German keeps none of its English phrases.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'svelte/compiler';
import { afterEach, describe, expect, it } from 'vitest';
import App from '../src/App.svelte';
import PowerHrChart from '../src/components/PowerHrChart.svelte';
import Settings from '../src/components/Settings.svelte';
import ActivityDrawer from '../src/components/ActivityDrawer.svelte';
import BackfillScreen from '../src/components/backfill/BackfillScreen.svelte';
import ListView from '../src/components/library/ListView.svelte';
import MonthView from '../src/components/library/MonthView.svelte';
import Wizard from '../src/components/wizard/Wizard.svelte';
import { de } from '../src/lib/i18n/de';
import { en } from '../src/lib/i18n/en';
import { locale } from '../src/lib/i18n/index.svelte';
import { activitiesStore } from '../src/stores/activities.svelte';
import { backfillStore } from '../src/stores/backfill.svelte';
import { settingsStore } from '../src/stores/settings.svelte';
import { sourcesStore } from '../src/stores/sources.svelte';
import { statusStore } from '../src/stores/status.svelte';
import { FakeApi, makeActivity, makeProgress, makeSettings } from './fakeApi';
import { byTestId, click, queryTestId, render, settle, text } from './helpers';

type Lang = 'en' | 'de';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src');

afterEach(() => {
  locale.choice = '';
});

/** All a rider can read or hear on a screen: its text and the labels, titles and placeholders. */
function words(root: Element): string {
  const parts = [root.textContent ?? ''];
  for (const el of root.querySelectorAll('*')) {
    for (const a of ['aria-label', 'title', 'placeholder']) {
      const v = el.getAttribute(a);
      if (v) parts.push(v);
    }
  }
  return parts.join('\n').replace(/\s+/g, ' ');
}

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
}

describe('catalogue', () => {
  it('has a German text for every English key, with the same placeholders', () => {
    const enKeys = Object.keys(en).sort();
    expect(Object.keys(de).sort()).toEqual(enKeys);
    for (const k of enKeys) {
      const d = (de as Record<string, string>)[k];
      expect(d.trim(), k).not.toBe('');
      expect(placeholders(d), k).toEqual(placeholders((en as Record<string, string>)[k]));
    }
  });
});

// Words that are the same in every language: the app's and services' names, units, marks.
const SAME_EVERYWHERE = new Set(['FitBridge', ', FitBridge', '· HTTP', 'ms']);

/** Text written straight into a template, where a catalogue key belongs. */
function literals(file: string): string[] {
  const src = fs.readFileSync(file, 'utf8');
  const found: string[] = [];
  const shown = new Set(['aria-label', 'title', 'placeholder', 'alt', 'label']);
  const walk = (n: unknown): void => {
    if (!n || typeof n !== 'object') return;
    if (Array.isArray(n)) return n.forEach(walk);
    const node = n as { type?: string; data?: string; name?: string; value?: unknown; start: number } & Record<string, unknown>;
    const keep = (text: string) => {
      const s = text.replace(/\s+/g, ' ').trim();
      if (/[A-Za-z]{2}/.test(s) && !SAME_EVERYWHERE.has(s)) found.push(`${path.relative(SRC, file)}:${src.slice(0, node.start).split('\n').length}: ${s}`);
    };
    if (node.type === 'Text' && node.data) keep(node.data);
    if (node.type === 'Comment') return;
    if (node.type === 'Attribute') {
      if (shown.has(node.name ?? '') && Array.isArray(node.value))
        for (const v of node.value as { type: string; data: string }[]) if (v.type === 'Text') keep(v.data);
      return;
    }
    for (const k of Object.keys(node)) if (!['parent', 'expression', 'metadata'].includes(k)) walk(node[k]);
  };
  walk(parse(src, { modern: true }).fragment);
  return found;
}

function svelteFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? svelteFiles(p) : e.name.endsWith('.svelte') ? [p] : [];
  });
}

describe('screens take their words from the catalogue', () => {
  it('finds English written into a template', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'i18n-'));
    try {
      const f = path.join(dir, 'X.svelte');
      fs.writeFileSync(f, '<p title="Close it">Not now</p><button aria-label={x}>FitBridge</button>');
      expect(literals(f).map((l) => l.replace(/^.*: /, ''))).toEqual(['Close it', 'Not now']);
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });

  const files = svelteFiles(SRC);
  it.each(files.map((f) => [path.relative(SRC, f), f]))('%s has no English literal', (_name, f) => {
    expect(literals(f)).toEqual([]);
  });
});

function fakeIn(lang: Lang, over: Parameters<typeof makeSettings>[0] = {}): FakeApi {
  const fake = new FakeApi();
  fake.settings = makeSettings({ language: lang, wizard_done: true, ...over });
  fake.status = { ...fake.status, settings: fake.settings };
  return fake;
}

async function app(lang: Lang): Promise<string> {
  const fake = fakeIn(lang);
  fake.status = {
    ...fake.status,
    first_run: false,
    keyring_ok: false,
    keyring_error: 'org.freedesktop.secrets was not provided by any service files',
    intervals: { ...fake.status.intervals, connected: true, athlete_id: 'i1', athlete_name: 'Ann', state: 'needs_sign_in' },
  };
  fake.update = { available: true, version: '9.9.9', url: 'https://example.invalid/releases/9.9.9' };
  fake.install();
  const root = render(App).target;
  await settle();
  statusStore.toast('a notice');
  await settle();
  return words(document.body) + words(root);
}

async function settings(lang: Lang): Promise<string> {
  const fake = fakeIn(lang);
  fake.status = { ...fake.status, browser_found: false };
  fake.workoutTargets = [{ name: 'z', displayName: 'Target app', connected: true }];
  fake.workoutResults = [{ id: '1', date: '2026-12-09', name: 'A', target: 'z', state: 'failed', changes: [], reason: 'no steps' }];
  fake.status = { ...fake.status, intervals: { ...fake.status.intervals, connected: true, athlete_id: 'i1', athlete_name: 'Ann', state: 'connected' } };
  // One platform connected with a setting of its own; the others show their sign-in forms.
  const setting = { key: 'k', label: 'Key', value: '', secret: true, required: false, folder: false, help: '', choices: [] };
  fake.sources = fake.sources.map((s, i) => (i === 0 ? { ...s, connected: true, state: 'connected', activities: 3, settings: [setting] } : s));
  fake.install();
  await Promise.all([statusStore.load(), settingsStore.load(), sourcesStore.load(), backfillStore.load()]);
  const root = render(Settings).target;
  await settle();
  root.querySelector<HTMLButtonElement>('[data-testid="workouts-send-now"]')?.click();
  root.querySelector<HTMLButtonElement>('[data-testid="intervals-change"]')?.click();
  await settle();
  return words(root);
}

async function month(lang: Lang): Promise<string> {
  const fake = fakeIn(lang);
  fake.planned = [
    { id: '55', date: '2026-12-10', name: 'Sweet Spot', sport: 'Ride', deliveries: [{ target: 'z', displayName: 'Target app', state: 'delivered', changes: ['power became a range'] }] },
  ];
  fake.install();
  await settingsStore.load();
  activitiesStore.goTo(new Date(2026, 11, 1), 'month');
  const root = render(MonthView).target;
  await settle();
  return words(root);
}

async function chart(lang: Lang): Promise<string> {
  fakeIn(lang).install();
  await settingsStore.load();
  return words(render(PowerHrChart, { streams: { t: [], power: [], hr: [] } as never }).target);
}

const connectedTwo = (fake: FakeApi) => {
  fake.sources = fake.sources.map((x, i) => (i < 2 ? { ...x, connected: true, state: 'connected' } : x));
};

async function wizard(lang: Lang, step: string, setup: (fake: FakeApi) => void = () => {}): Promise<HTMLElement> {
  const fake = fakeIn(lang, { wizard_done: false, wizard_step: step });
  setup(fake);
  fake.install();
  await Promise.all([statusStore.load(), settingsStore.load(), sourcesStore.load(), backfillStore.load()]);
  const root = render(Wizard).target;
  await settle();
  return root;
}

const finishedRun = makeProgress({
  running: false,
  phase: 'done',
  total: 10,
  done: 10,
  counts: { uploaded: 6, already_in_intervals: 2, failed: 1, skipped: 1 },
  by_source: { mywhoosh: { uploaded: 6, already_in_intervals: 2, failed: 1, skipped: 1 } },
  failures: [{ id: 41, source: 'mywhoosh', remote_id: '', name: '', reason: 'Intervals.icu answered 503', permanent: true }],
  started_at: '2024-03-05T10:00:00Z',
  finished_at: '2024-03-05T10:20:00Z',
});

async function backfill(lang: Lang, setup: (fake: FakeApi) => void): Promise<HTMLElement> {
  const fake = fakeIn(lang);
  connectedTwo(fake);
  fake.status = { ...fake.status, intervals: { ...fake.status.intervals, connected: true, athlete_id: 'i1' } };
  setup(fake);
  fake.install();
  await Promise.all([statusStore.load(), settingsStore.load(), sourcesStore.load(), backfillStore.load()]);
  const root = render(BackfillScreen).target;
  await settle();
  return root;
}

async function drawer(lang: Lang, over: Parameters<typeof makeActivity>[1]): Promise<HTMLElement> {
  const fake = fakeIn(lang);
  fake.activities = [makeActivity(1, over)];
  fake.install();
  await Promise.all([settingsStore.load(), sourcesStore.load()]);
  const root = render(ActivityDrawer).target;
  activitiesStore.open(1);
  await settle();
  return root;
}

// Per screen, English phrases it shows in the state set up above.
const SCREENS: [string, (lang: Lang) => Promise<string>, string[]][] = [
  ['the shell, its banners and notices', app, ['Sign-ins cannot be saved.', 'is available', "What's new and how to get it", 'Not now', 'Dismiss']],
  [
    'Settings with its accounts, sign-in help and planned workouts',
    settings,
    [
      'is shown there; it looks like',
      'Where do I find these?',
      'scroll down to',
      "The key stays on this computer, in your system's keychain.",
      'Verify and connect',
      'Cancel',
      'Kept in your keychain',
      'Save',
      'is on its way',
      'Email and password',
      'Used once to sign in, never stored.',
      'Email or username',
      'Paste a token or cookie',
      'For experts',
      'Use token',
      'No Chrome, Edge or Chromium was found',
      'Account region',
      'Found on this computer:',
      'Use this folder',
      'Planned workouts',
      'go where you ride',
      'Keep my planned workouts in',
      'ready',
      'Send the next two weeks now',
      'delivered,',
      'could not be sent',
    ],
  ],
  ['the month with a planned workout', month, ['Planned workout', 'changed:']],
  ['an empty chart', chart, ['This file has no power or heart-rate data to draw.']],
  [
    "the guide's welcome",
    async (lang) => words(await wizard(lang, 'welcome')),
    ['Set-up steps', 'Welcome to FitBridge', 'Your sources', 'What to bring in', 'into your Intervals.icu calendar', 'Passwords are never stored.', 'Nothing is doubled.', 'It takes about five minutes', 'Just looking?', 'Finish set-up later', 'Get started'],
  ],
  [
    "the guide's sources",
    async (lang) => words(await wizard(lang, 'sources', connectedTwo)),
    ['Where do you ride?', 'Connect every place your rides are.', '2 sources connected.', 'Folders on this computer', 'plugged in by USB', 'Skip this step', 'Back', 'Next'],
  ],
  [
    "the guide's finished run",
    async (lang) =>
      words(
        await wizard(lang, 'summary', (fake) => {
          fake.progress = finishedRun;
          fake.status = { ...fake.status, backfill: finishedRun };
        }),
      ),
    ['Your history is in Intervals.icu', 'All done.', 'uploaded,', 'already in Intervals.icu', 'Change accounts, continuous sync', 'Go to my calendar', 'Of 10 activities found'],
  ],
  [
    "the guide's choice of what to bring in",
    async (lang) => words(await wizard(lang, 'backfill', connectedTwo)),
    ['Connect your Intervals.icu account first', 'Which activities', 'All my history', 'Only a date range', 'What FitBridge found'],
  ],
  [
    'Backfill after a run, with its failures and runs',
    async (lang) =>
      words(
        await backfill(lang, (fake) => {
          fake.progress = finishedRun;
          fake.runs = [{ id: 7, started: '2024-03-05T10:00:00Z', finished: '2024-03-05T10:20:00Z', kind: 'manual', uploaded: 6, already: 2, skipped: 1, failed: 1, undoable: 6 }];
        }),
      ),
    ['Bring history into Intervals.icu', 'Of 10 activities found', 'Finished Mar', 'Start another run', "Didn't make it", "retrying won't change this", 'Activity 41', 'Retry', 'Activities by state', 'Source', 'Runs', 'Backfill you started', 'Undo this run', 'uploaded,'],
  ],
  [
    'Backfill before a run',
    async (lang) => {
      const root = await backfill(lang, (fake) => {
        fake.preview = {
          sources: [0, 1].map((i) => ({
            name: fake.sources[i].name, display_name: fake.sources[i].display_name, activities: 5, already_in_intervals: 1, to_upload: 3, skipped: 1,
            no_file: 1, manual_entry: 0, needs_review: 0, kept_out: 0, unusable: 0, strava_copies: 2, needs_sign_in: false, error: '',
          })),
          strava_copies: 'keep',
        };
      });
      return words(root);
    },
    ['Which activities', 'All my history', 'What FitBridge found', 'Count again', 'Found', 'To upload', 'Skipped', 'never doubled', 'Start bringing them in', 'with no file on the platform', 'only as Strava copies', 'Upload the originals of these rides'],
  ],
  [
    'the drawer of a probable duplicate',
    async (lang) => words(await drawer(lang, { state: 'needs_review', reason: 'Intervals.icu has an activity that started at the same time' })),
    ['Close (Escape)', 'Upload anyway', 'Keep out', 'probably has this ride already'],
  ],
  [
    'the drawer of an uploaded ride',
    async (lang) => words(await drawer(lang, { state: 'uploaded', intervals_url: 'https://intervals.icu/activities/i1' })),
    ['Open in Intervals.icu', 'Undo this upload', 'Undo deletes it'],
  ],
  [
    'the drawer of a ride Intervals.icu has as a Strava copy',
    async (lang) => words(await drawer(lang, { state: 'already_in_intervals', matched_via: 'Strava', reason: '' })),
    ['Already there through Strava.', 'Upload the original', 'only as a Strava copy'],
  ],
];

describe('the window in German', () => {
  // The same screen in English shows each phrase: the list is what a rider would see.
  it.each(SCREENS)('%s shows its phrases in English', async (_name, show, phrases) => {
    const english = await show('en');
    expect(locale.lang).toBe('en');
    expect(phrases.filter((p) => !english.includes(p))).toEqual([]);
  });

  it.each(SCREENS)('%s keeps no English phrase in German', async (_name, show, phrases) => {
    const german = await show('de');
    expect(locale.lang).toBe('de');
    expect(phrases.filter((p) => german.includes(p))).toEqual([]);
  });
});

describe('wording', () => {
  it("the guide's last step says it is done, without 'Finish set-up later'", async () => {
    const root = await wizard('en', 'summary', (fake) => {
      fake.progress = { ...finishedRun, running: true, phase: 'uploading', finished_at: '' };
      fake.status = { ...fake.status, backfill: fake.progress };
    });
    expect(text(root.querySelector('#wizard-title'))).toBe('Your history is on its way');
    backfillStore.set(finishedRun);
    await settle();
    expect(text(root.querySelector('#wizard-title'))).toBe('Your history is in Intervals.icu');
    expect(queryTestId(root, 'wizard-close')).toBeNull();
    expect(queryTestId(root, 'wizard-finish')).not.toBeNull();
  });

  it('Welcome offers no "Skip this step"; the next steps do', async () => {
    const root = await wizard('en', 'welcome');
    expect(queryTestId(root, 'wizard-skip')).toBeNull();
    await click(byTestId(root, 'wizard-next'));
    expect(queryTestId(root, 'wizard-skip')).not.toBeNull();
  });

  it('counts the sources whose cards say Connected', async () => {
    const root = await wizard('en', 'sources', (fake) => {
      fake.sources = fake.sources.map((x, i) =>
        i === 0 ? { ...x, connected: true, state: 'connected' } : i === 1 ? { ...x, connected: true, state: 'needs_sign_in' } : x.coming_soon ? { ...x, connected: true } : x,
      );
    });
    const shown = root.querySelectorAll('[data-testid^="source-state-"]');
    const saysConnected = [...shown].filter((el) => /Connected/.test(text(el))).length;
    expect(saysConnected).toBe(1);
    expect(text(byTestId(root, 'wizard-connected-count'))).toBe('1 source connected.');
  });

  it('says where a ride came from once, in the list and in the drawer', async () => {
    const fake = fakeIn('en');
    fake.activities = [
      makeActivity(1, { state: 'already_in_intervals', matched_via: 'Strava', reason: 'already in Intervals.icu from Strava (started at the same time)' }),
      makeActivity(2, { state: 'already_in_intervals', matched_via: 'Strava', reason: 'same external id', start: new Date(2024, 2, 2, 9).toISOString() }),
    ];
    fake.install();
    await settingsStore.load();
    activitiesStore.goTo(new Date(2024, 2, 1), 'list');
    const list = render(ListView).target;
    await settle();
    const row = (id: number) => text(byTestId(list, `list-row-${id}`));
    expect(row(1).split('Strava')).toHaveLength(2);
    expect(row(2)).toMatch(/Same external id \(via Strava\)/);

    const root = render(ActivityDrawer).target;
    activitiesStore.open(1);
    await settle();
    expect(text(byTestId(root, 'drawer-reason'))).toMatch(/from Strava/);
    expect(text(byTestId(root, 'activity-drawer'))).not.toMatch(/Already there through/);
  });
});
