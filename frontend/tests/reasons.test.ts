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
import MonthView from '../src/components/library/MonthView.svelte';
import PlannedSettings from '../src/components/workouts/PlannedSettings.svelte';
import { de } from '../src/lib/i18n/de';
import { en } from '../src/lib/i18n/en';
import { locale } from '../src/lib/i18n/index.svelte';
import { reasonText } from '../src/lib/i18n/reasonText';
import { reasonsEn } from '../src/lib/reasons';
import { signInError } from '../src/lib/signin';
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

// Planned workouts: why one was not sent or was taken away, and what was changed to fit.
const GERMAN_WORKOUTS: [string, string][] = [
  [
    'this workout has neither steps nor a length in Intervals.icu: give it steps in the workout builder there',
    'dieses Training hat in Intervals.icu weder Schritte noch eine Länge: gib ihm dort im Workout-Builder Schritte',
  ],
  ['would be removed: deleted from the plan', 'würde entfernt: aus dem Plan gelöscht'],
  ['past, but FitBridge cannot delete workouts in iGPSport: delete it there yourself', 'vorbei, aber FitBridge kann in iGPSport keine Trainings löschen: bitte dort selbst löschen'],
  [
    'Zwift has no workouts folder for your account on this computer yet: start Zwift once, open Custom Workouts, then try again',
    'Zwift hat auf diesem Computer noch keinen Trainingsordner für dein Konto: starte Zwift einmal, öffne Custom Workouts und versuche es dann erneut',
  ],
  [
    "MyWhoosh cannot take planned workouts from FitBridge yet: it keeps custom workouts in its own workout builder, and offers no import that other programs can use. Build them in MyWhoosh's workout builder for now.",
    'MyWhoosh kann noch keine geplanten Trainings von FitBridge annehmen: es verwaltet eigene Trainings in seinem eigenen Workout-Builder und bietet keinen Import, den andere Programme nutzen können. Erstelle sie vorerst im Workout-Builder von MyWhoosh.',
  ],
  [
    'iGPSport took workout "VO2 5x4" (id 881) but does not list it, so the bike computer would not get it',
    'iGPSport hat das Training "VO2 5x4" (ID 881) angenommen, listet es aber nicht, der Radcomputer würde es also nicht bekommen',
  ],
  ['power ranges became their middle (88-94% FTP became 91% FTP)', 'Leistungsbereiche wurden zu ihrer Mitte (88-94% FTP wurde zu 91% FTP)'],
  ['5.0 km step became 10m (at an easy 30 km/h)', 'Schritt über 5.0 km wurde zu 10m (bei lockeren 30 km/h)'],
  ['no steps in Intervals.icu: a free ride of 1h 30m', 'keine Schritte in Intervals.icu: freie Fahrt von 1h 30m'],
];

// Sign-in and connection errors: the fixed sentence is said again, the service's own words are kept.
const GERMAN_SIGN_IN: [string, string][] = [
  ['TrainingPeaks did not accept this sign-in: sign in again or paste a fresh token', 'TrainingPeaks hat diese Anmeldung nicht angenommen: melde dich erneut an oder füge einen frischen Token ein'],
  [
    'iGPSport did not accept the sign-in: 账号或密码错误. International and China accounts are separate: if the account was made in the other app, choose China',
    'iGPSport hat die Anmeldung nicht angenommen: 账号或密码错误. Internationale und chinesische Konten sind getrennt: wenn das Konto in der anderen App angelegt wurde, wähle China',
  ],
  [
    'iGPSport did not accept this sign-in: iGPSport China refused this sign-in, but iGPSport International accepts it: this looks like an International account. Connect iGPSport again and choose International',
    'iGPSport hat diese Anmeldung nicht angenommen: iGPSport China hat diese Anmeldung abgelehnt, aber iGPSport International nimmt sie an: das sieht nach einem internationalen Konto aus. Verbinde iGPSport erneut und wähle International',
  ],
  ['the iGPSport web app asked to sign in again: needs sign-in', 'die Web-App von iGPSport hat um eine erneute Anmeldung gebeten: Anmeldung nötig'],
  ['MyWhoosh refused the sign-in: Invalid email or password', 'MyWhoosh hat die Anmeldung abgelehnt: Invalid email or password'],
  ['the iGPSport sign-in expired on 2026-12-01: needs sign-in', 'die Anmeldung bei iGPSport ist am 2026-12-01 abgelaufen: Anmeldung nötig'],
  ['enter both the email (or user name) and the password', 'gib sowohl die E-Mail-Adresse (oder den Benutzernamen) als auch das Passwort ein'],
  ['MyWhoosh needs you to sign in again (nothing was lost)', 'MyWhoosh braucht eine erneute Anmeldung (nichts ging verloren)'],
  ['TrainingPeaks needs you to sign in again before FitBridge can count what it holds.', 'TrainingPeaks braucht eine erneute Anmeldung, bevor FitBridge zählen kann, was dort liegt.'],
];

describe('workout and sign-in sentences', () => {
  it('says them in German, keeping names, ids, values and the service’s own words', () => {
    locale.choice = 'de';
    for (const [backend, german] of [...GERMAN_WORKOUTS, ...GERMAN_SIGN_IN]) expect(reasonText(backend), backend).toBe(german);
  });

  it('gives them back unchanged in English', () => {
    locale.choice = 'en';
    for (const [backend] of [...GERMAN_WORKOUTS, ...GERMAN_SIGN_IN]) expect(reasonText(backend)).toBe(backend);
  });

  it('leaves a one-off error unchanged', () => {
    locale.choice = 'de';
    for (const s of ['write Sweet Spot [55].zwo: disk full', 'iGPSport answered 502 Bad Gateway', 'past it']) expect(reasonText(s)).toBe(s);
  });

  it('shows a refused sign-in beside the form in German, as one sentence, with the service’s message kept', () => {
    locale.choice = 'de';
    expect(
      signInError(
        'iGPSport sign-in: iGPSport did not accept the sign-in: 账号或密码错误. International and China accounts are separate: if the account was made in the other app, choose China',
        'iGPSport',
      ),
    ).toBe('iGPSport hat die Anmeldung nicht angenommen: 账号或密码错误.');
    expect(signInError('TrainingPeaks did not accept this sign-in: sign in again or paste a fresh token', 'TrainingPeaks')).toBe(
      'TrainingPeaks hat diese Anmeldung nicht angenommen: melde dich erneut an oder füge einen frischen Token ein',
    );
  });

  it('shows a planned workout’s delivery and changes in German on the calendar and in settings', async () => {
    const fake = new FakeApi();
    fake.settings = makeSettings({ language: 'de', wizard_done: true });
    fake.status = { ...fake.status, settings: fake.settings };
    fake.planned = [
      {
        id: '55',
        date: '2026-12-10',
        name: 'Sweet Spot 3x10',
        sport: 'Ride',
        deliveries: [
          { target: 'zwift', displayName: 'Zwift', state: 'delivered', changes: ['power ranges became their middle (88-94% FTP became 91% FTP)'] },
          {
            target: 'igpsport',
            displayName: 'iGPSport',
            state: 'failed',
            reason: 'iGPSport took workout "Sweet Spot 3x10" (id 881) but does not list it, so the bike computer would not get it',
            changes: [],
          },
        ],
      },
    ];
    fake.workoutTargets = [
      {
        name: 'mywhoosh',
        displayName: 'MyWhoosh',
        connected: true,
        unavailable:
          "MyWhoosh cannot take planned workouts from FitBridge yet: it keeps custom workouts in its own workout builder, and offers no import that other programs can use. Build them in MyWhoosh's workout builder for now.",
      },
    ];
    fake.install();
    await settingsStore.load();
    activitiesStore.goTo(new Date(2026, 11, 1), 'month');
    const month = render(MonthView).target;
    await settle();
    const chip = byTestId(month, 'planned-55');
    const said = `${chip.getAttribute('aria-label')}\n${chip.getAttribute('title')}`;
    expect(said).toContain('(iGPSport hat das Training "Sweet Spot 3x10" (ID 881) angenommen, listet es aber nicht, der Radcomputer würde es also nicht bekommen)');
    expect(said).toContain('Leistungsbereiche wurden zu ihrer Mitte (88-94% FTP wurde zu 91% FTP)');
    expect(said).not.toMatch(/does not list|became their middle/);
    const settings = render(PlannedSettings).target;
    await settle();
    expect(text(byTestId(settings, 'workout-target-unavailable-mywhoosh'))).toMatch(/^MyWhoosh kann noch keine geplanten Trainings von FitBridge annehmen: .* Workout-Builder von MyWhoosh\.$/);
  });
});

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
