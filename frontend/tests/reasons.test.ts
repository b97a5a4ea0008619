// The backend's reasons in the window's language: sentences the Go side
// writes through its templates (backend/reason) are said in German from the
// catalogue, with their numbers, names and paths kept; anything else stays
// as the backend wrote it.
import { afterEach, describe, expect, it } from 'vitest';
import ActivityDrawer from '../src/components/ActivityDrawer.svelte';
import ImportButtons from '../src/components/library/ImportButtons.svelte';
import ImportResult from '../src/components/library/ImportResult.svelte';
import { importer } from '../src/components/library/importer.svelte';
import ListView from '../src/components/library/ListView.svelte';
import { de } from '../src/lib/i18n/de';
import { en } from '../src/lib/i18n/en';
import { locale } from '../src/lib/i18n/index.svelte';
import { reasonText } from '../src/lib/i18n/reasonText';
import { reasonsEn } from '../src/lib/reasons';
import { activitiesStore } from '../src/stores/activities.svelte';
import { settingsStore } from '../src/stores/settings.svelte';
import { FakeApi, makeActivity, makeSettings } from './fakeApi';
import { byTestId, render, settle, text } from './helpers';

afterEach(() => {
  locale.choice = '';
});

// Sentences exactly as the backend writes them (backend/reason's tests hold the same English).
const GERMAN: [string, string][] = [
  ['repaired: the file ended early, 3 minutes of records kept', 'repariert: die Datei endete vorzeitig, 3 Minuten an Aufzeichnungen behalten'],
  [
    'repaired: its last 17 bytes were unreadable, the file checksum was wrong, 1 h 05 min of records kept',
    'repariert: ihre letzten 17 Bytes waren nicht lesbar, die Prüfsumme der Datei war falsch, 1 Std. 05 Min. an Aufzeichnungen behalten',
  ],
  ['repaired: the header checksum was wrong, 2 damaged chained parts were left out', 'repariert: die Prüfsumme des Dateikopfs war falsch, 2 beschädigte angehängte Teile wurden weggelassen'],
  ['kept out: you undid its upload', 'draußen gelassen: du hast das Hochladen rückgängig gemacht'],
  ['entered by hand on Strava: there is no file to bring over', 'auf Strava von Hand eingetragen: es gibt keine Datei zum Übertragen'],
  ['activities.csv lists this file, but the export does not hold it', 'activities.csv nennt diese Datei, aber der Export enthält sie nicht'],
  ['MyWhoosh has no FIT file for this ride', 'MyWhoosh hat keine FIT-Datei für diese Fahrt'],
  ['file ends 1234 bytes early', 'die Datei endet 1234 Bytes zu früh'],
  [
    'the import of this Strava export stopped: read export_1.zip: unexpected EOF',
    'der Import (Strava-Export) wurde abgebrochen: read export_1.zip: unexpected EOF',
  ],
  ['a workout file, not an activity', 'eine Datei vom Typ workout, keine Aktivität'],
  ['/rides/2024-03-01, hill.fit has changed since it was added: add it again', '/rides/2024-03-01, hill.fit hat sich seit dem Hinzufügen geändert: bitte erneut hinzufügen'],
  ['already in Intervals.icu (started 2 min apart)', 'schon in Intervals.icu (gestartet 2 min versetzt)'],
  ['already in Intervals.icu from Strava (same external id "i-42")', 'schon in Intervals.icu von Strava (gleiche externe ID "i-42")'],
  [
    '1 of 2 parts: probably already in Intervals.icu from a file upload (started at the same time); Strava hides the details, so check it',
    '1 von 2 Teilen: wahrscheinlich schon in Intervals.icu von einem Datei-Upload (gestartet zur selben Zeit); Strava verbirgt die Details, bitte prüfen',
  ],
  [
    'Intervals.icu has an activity from Garmin Connect that started 3 min apart but lasted 40 min instead of 1 h 2 min: check before uploading',
    'Intervals.icu hat eine Aktivität von Garmin Connect, die 3 min versetzt gestartet ist, aber sie dauerte 40 min statt 1 Std. 2 Min.: vor dem Hochladen prüfen',
  ],
];

describe('reasonText', () => {
  it('says the backend’s sentences in German, keeping what varies', () => {
    locale.choice = 'de';
    for (const [backend, german] of GERMAN) expect(reasonText(backend), backend).toBe(german);
  });

  it('gives the backend’s English back unchanged in English', () => {
    locale.choice = 'en';
    for (const [backend] of GERMAN) expect(reasonText(backend)).toBe(backend);
  });

  it('passes a sentence no template knows through unchanged', () => {
    locale.choice = 'de';
    for (const s of ['Intervals.icu answered 502 Bad Gateway', 'read /x.fit: permission denied', '', 'kept out']) expect(reasonText(s)).toBe(s);
  });

  it('has a German text for every backend sentence, with its placeholders', () => {
    const keys = Object.keys(reasonsEn) as (keyof typeof reasonsEn)[];
    expect(keys.length).toBeGreaterThan(40);
    const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const k of keys) {
      expect(en[k], k).toBe(reasonsEn[k]);
      expect(de[k], k).toBeTruthy();
      expect(de[k], k).not.toBe(reasonsEn[k]);
      expect(names(de[k]), k).toEqual(names(reasonsEn[k]));
    }
  });
});

describe('reasons on screen', () => {
  it('shows a repaired ride and a probable duplicate in German in the list and the drawer', async () => {
    const fake = new FakeApi();
    fake.settings = makeSettings({ language: 'de', wizard_done: true });
    fake.status = { ...fake.status, settings: fake.settings };
    fake.activities = [
      makeActivity(1, { state: 'ready', repaired: 'repaired: the file ended early, 3 minutes of records kept' }),
      makeActivity(2, {
        state: 'needs_review',
        matched_via: 'Strava',
        reason: 'probably already in Intervals.icu from Strava (started 2 min apart); Strava hides the details, so check it',
        start: new Date(2024, 2, 2, 9).toISOString(),
      }),
    ];
    fake.install();
    await settingsStore.load();
    activitiesStore.goTo(new Date(2024, 2, 1), 'list');
    const list = render(ListView).target;
    await settle();
    expect(text(byTestId(list, 'list-repaired-1'))).toBe('Repariert: die Datei endete vorzeitig, 3 Minuten an Aufzeichnungen behalten');
    const row = text(byTestId(list, 'list-row-2'));
    expect(row).toContain('Wahrscheinlich schon in Intervals.icu von Strava (gestartet 2 min versetzt); Strava verbirgt die Details, bitte prüfen');
    expect(row).not.toMatch(/probably|apart|hides/);

    const root = render(ActivityDrawer).target;
    activitiesStore.open(1);
    await settle();
    expect(text(byTestId(root, 'drawer-repaired'))).toMatch(/^Repariert: die Datei endete vorzeitig, 3 Minuten an Aufzeichnungen behalten\./);
  });

  it('says an export import’s results and progress in German', async () => {
    locale.choice = 'de';
    const fake = new FakeApi().install();
    let finish: (v: unknown) => void = () => {};
    fake.handlers.ImportFiles = () => new Promise((r) => (finish = r));
    const buttons = render(ImportButtons).target;
    const result = render(ImportResult).target;
    const done = importer.files([new File(['z'], 'export_1.zip')]);
    await settle();
    fake.emit('import_progress', { archive: 'export_1.zip', kind: 'Strava export', done: 3, total: 10 });
    await settle();
    expect(text(byTestId(buttons, 'import-progress'))).toContain('Strava-Export wird gelesen: 3 von 10');
    finish({
      activities: [
        makeActivity(0, { id: 0, file: 'export_1/activities.csv#12', name: 'Yoga', state: 'skipped', reason: 'entered by hand on Strava: there is no file to bring over' }),
        makeActivity(0, { id: 0, file: 'export_1/activities/9.fit', name: '', state: 'unreadable', reason: 'activities.csv lists this file, but the export does not hold it' }),
        makeActivity(0, { id: 0, file: 'export_1/activities/10.fit', name: '', state: 'unreadable', reason: 'read 10.fit: unexpected EOF' }),
      ],
    });
    await done;
    await settle();
    const said = text(byTestId(result, 'import-result'));
    expect(said).toContain('Auf Strava von Hand eingetragen: es gibt keine Datei zum Übertragen');
    expect(said).toContain('Activities.csv nennt diese Datei, aber der Export enthält sie nicht');
    // An error no template knows is shown as the backend wrote it.
    expect(said).toContain('Read 10.fit: unexpected EOF');
    expect(said).not.toMatch(/entered by hand|does not hold/);
  });
});
