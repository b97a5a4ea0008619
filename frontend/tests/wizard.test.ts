import { describe, expect, it } from 'vitest';
import Wizard from '../src/components/wizard/Wizard.svelte';
import { backfillStore } from '../src/stores/backfill.svelte';
import { settingsStore } from '../src/stores/settings.svelte';
import { sourcesStore } from '../src/stores/sources.svelte';
import { statusStore } from '../src/stores/status.svelte';
import { byTestId, click, queryTestId, render, settle, text, type } from './helpers';
import { FakeApi, makeSettings } from './fakeApi';

async function start(fake: FakeApi, props: Record<string, unknown> = {}) {
  fake.install();
  await statusStore.load();
  await settingsStore.load();
  await sourcesStore.load();
  const r = render(Wizard, props);
  await settle();
  return r.target;
}

function step(root: HTMLElement) {
  return byTestId(root, 'wizard').dataset.step;
}

describe('first-run wizard', () => {
  it('starts with a welcome that explains what FitBridge does and its promises', async () => {
    const root = await start(new FakeApi());
    expect(step(root)).toBe('welcome');
    const body = text(byTestId(root, 'wizard-step-welcome'));
    expect(body).toMatch(/Intervals\.icu/);
    expect(body).toMatch(/Passwords are never stored/);
    expect(body).toMatch(/stays on this computer/);
  });

  it('verifies the Intervals.icu key and shows the athlete name', async () => {
    const fake = new FakeApi();
    const root = await start(fake);
    await click(byTestId(root, 'wizard-next'));
    expect(step(root)).toBe('intervals');
    expect(fake.settings.wizard_step).toBe('intervals');

    // Next waits for a working connection; skipping is always possible.
    expect(byTestId<HTMLButtonElement>(root, 'wizard-next').disabled).toBe(true);
    expect(text(root)).toMatch(/Developer Settings/);

    await type(byTestId<HTMLInputElement>(root, 'intervals-athlete-id'), ' i12345 ');
    await type(byTestId<HTMLInputElement>(root, 'intervals-api-key'), 'secret-key');
    await click(byTestId(root, 'intervals-verify'));

    expect(fake.callsTo('ConnectIntervals')).toEqual([['i12345', 'secret-key']]);
    expect(text(byTestId(root, 'intervals-athlete-name'))).toBe('Ada Rider');
    expect(byTestId<HTMLButtonElement>(root, 'wizard-next').disabled).toBe(false);
  });

  it('shows what went wrong when Intervals.icu refuses the key', async () => {
    const fake = new FakeApi();
    fake.handlers.ConnectIntervals = () => {
      throw new Error('Intervals.icu did not accept this API key. Copy it again from Developer Settings.');
    };
    fake.settings = makeSettings({ wizard_step: 'intervals' });
    const root = await start(fake);
    await type(byTestId<HTMLInputElement>(root, 'intervals-athlete-id'), 'i1');
    await type(byTestId<HTMLInputElement>(root, 'intervals-api-key'), 'wrong');
    await click(byTestId(root, 'intervals-verify'));
    expect(text(byTestId(root, 'intervals-error'))).toMatch(/did not accept this API key/);
    expect(queryTestId(root, 'intervals-athlete-name')).toBeNull();
  });

  it('skips steps, remembers where it was and resumes there', async () => {
    const fake = new FakeApi();
    const root = await start(fake);
    // Welcome has nothing to skip: "Get started" moves on.
    expect(queryTestId(root, 'wizard-skip')).toBeNull();
    await click(byTestId(root, 'wizard-next'));
    expect(step(root)).toBe('intervals');
    await click(byTestId(root, 'wizard-skip'));
    expect(step(root)).toBe('sources');
    expect(fake.settings.wizard_step).toBe('sources');
    expect(fake.settings.wizard_done).toBe(false);

    // Any step can be opened directly from the step list.
    await click(byTestId(root, 'wizard-step-backfill-tab'));
    expect(step(root)).toBe('backfill');
    await click(byTestId(root, 'wizard-step-sources-tab'));

    // A new window (or a restart) opens the wizard where the rider left it.
    const again = await start(fake);
    expect(byTestId(again, 'wizard').dataset.step).toBe('sources');
  });

  it('shows coming-soon sources without buttons and real sources with sign-in', async () => {
    const fake = new FakeApi();
    fake.settings = makeSettings({ wizard_step: 'sources' });
    const root = await start(fake);

    const tp = byTestId(root, 'source-card-trainingpeaks');
    expect(text(tp)).toMatch(/Coming soon/);
    expect(tp.querySelectorAll('button, input, select')).toHaveLength(0);

    expect(text(byTestId(root, 'source-connect-browser-mywhoosh'))).toBe('Sign in with MyWhoosh');
    const region = byTestId<HTMLSelectElement>(root, 'source-region-igpsport');
    expect([...region.options].map((o) => o.value)).toEqual(['intl', 'cn']);

    // The Zwift folder found on this computer is one click away.
    const zwift = byTestId(root, 'source-card-zwift');
    expect(text(zwift)).toMatch('/home/rider/Documents/Zwift/Activities');
    await click(byTestId(root, 'source-found-folder-zwift-0'));
    expect(fake.callsTo('ConnectFolder')).toEqual([['zwift', '/home/rider/Documents/Zwift/Activities']]);
    expect(text(byTestId(root, 'source-state-zwift'))).toMatch(/Connected/);
  });

  it('shows the settings a platform declares, and only that platform, once connected', async () => {
    const fake = new FakeApi();
    fake.settings = makeSettings({ wizard_step: 'sources' });
    const coach = { key: 'athlete', label: 'Coached athlete', help: 'for coach accounts: the athlete id to sync', choices: null, secret: false, required: false, folder: false, value: '' };
    fake.sources = fake.sources.map((s) => (s.name === 'igpsport' ? { ...s, connected: true, state: 'connected', settings: [coach] } : s));
    const root = await start(fake);
    expect(queryTestId(root, 'source-settings-mywhoosh')).toBeNull();
    const form = byTestId(root, 'source-settings-igpsport');
    expect(text(form)).toMatch(/Coached athlete/);
    expect(text(form)).toMatch(/for coach accounts/);
    await type(byTestId<HTMLInputElement>(root, 'source-setting-igpsport-athlete'), ' 4242 ');
    await click(byTestId(root, 'source-settings-save-igpsport'));
    expect(fake.callsTo('SetSourceSettings')).toEqual([['igpsport', { athlete: '4242' }]]);
    expect(text(form)).toMatch(/Saved/);
  });

  it('names the platforms the backend declares in its welcome', async () => {
    const root = await start(new FakeApi());
    expect(text(byTestId(root, 'wizard-step-welcome'))).toMatch(/from MyWhoosh, iGPSport and Zwift into your Intervals\.icu calendar/);
  });

  it('signs in through the browser with the chosen region', async () => {
    const fake = new FakeApi();
    fake.settings = makeSettings({ wizard_step: 'sources' });
    const root = await start(fake);
    const region = byTestId<HTMLSelectElement>(root, 'source-region-igpsport');
    region.value = 'cn';
    region.dispatchEvent(new Event('change', { bubbles: true }));
    await click(byTestId(root, 'source-connect-browser-igpsport'));
    expect(fake.callsTo('ConnectBrowser')).toEqual([['igpsport', 'cn']]);
    expect(text(byTestId(root, 'source-state-igpsport'))).toMatch(/Connected/);
  });

  it('offers the password and token fallbacks when the browser sign-in fails', async () => {
    const fake = new FakeApi();
    fake.settings = makeSettings({ wizard_step: 'sources' });
    fake.handlers.ConnectBrowser = () => {
      throw new Error('The sign-in window was closed before you signed in. Try again, or use your email and password.');
    };
    const root = await start(fake);
    expect(queryTestId(root, 'source-password-mywhoosh')).toBeNull();

    await click(byTestId(root, 'source-connect-browser-mywhoosh'));
    expect(text(byTestId(root, 'source-error-mywhoosh'))).toMatch(/sign-in window was closed/);
    expect(text(byTestId(root, 'source-card-mywhoosh'))).toMatch(/never stored/);

    await type(byTestId<HTMLInputElement>(root, 'source-username-mywhoosh'), 'ada@example.com');
    await type(byTestId<HTMLInputElement>(root, 'source-password-mywhoosh'), 'pw');
    await click(byTestId(root, 'source-connect-password-mywhoosh'));
    expect(fake.callsTo('ConnectPassword')).toEqual([['mywhoosh', '', 'ada@example.com', 'pw']]);
    expect(text(byTestId(root, 'source-state-mywhoosh'))).toMatch(/Connected/);
  });

  it('previews the backfill per source and starts it, then summarises', async () => {
    const fake = new FakeApi();
    fake.settings = makeSettings({ wizard_step: 'backfill' });
    fake.status.intervals = { connected: true, athlete_id: 'i1', athlete_name: 'Ada', timezone: '', units: '', state: 'connected', url: 'https://intervals.icu/athlete/i1' };
    fake.sources[0] = { ...fake.sources[0], connected: true, state: 'connected' };
    fake.sources[3] = { ...fake.sources[3], connected: true, state: 'connected', folder: '/z' };
    fake.preview = {
      sources: [
        { name: 'mywhoosh', display_name: 'MyWhoosh', activities: 120, already_in_intervals: 20, to_upload: 100, skipped: 0, no_file: 0, manual_entry: 0, needs_review: 0, kept_out: 0, unusable: 0, strava_copies: 0, needs_sign_in: false, error: '' },
        { name: 'zwift', display_name: 'Zwift', activities: 30, already_in_intervals: 30, to_upload: 0, skipped: 0, no_file: 0, manual_entry: 0, needs_review: 0, kept_out: 0, unusable: 0, strava_copies: 0, needs_sign_in: false, error: '' },
      ],
      strava_copies: 'keep',
    };
    const root = await start(fake);
    const off = backfillStore.init();

    expect(fake.callsTo('PreviewBackfill')).toEqual([[{ sources: ['mywhoosh', 'zwift'], since: '', until: '', ids: [], dry_run: false, strava_copies: 'keep' }]]);
    expect(text(byTestId(root, 'preview-row-mywhoosh'))).toMatch(/120\s*20\s*100\s*0/);
    expect(byTestId<HTMLInputElement>(root, 'backfill-range-all').checked).toBe(true);

    await click(byTestId(root, 'start-backfill'));
    expect(fake.callsTo('StartBackfill')).toEqual([[{ sources: ['mywhoosh', 'zwift'], since: '', until: '', ids: [], dry_run: false, strava_copies: 'keep' }]]);
    expect(step(root)).toBe('summary');
    expect(byTestId(root, 'backfill-progress')).toBeTruthy();

    fake.emit('progress', { ...fake.progress, running: false, phase: 'done', total: 100, done: 100, counts: { uploaded: 98, already_in_intervals: 50, failed: 2 } });
    await settle();
    expect(text(byTestId(root, 'wizard-summary'))).toMatch(/98 activities uploaded, 50 already in Intervals\.icu, 2 failed/);
    off();
  });

  it('closing saves wizard_done so it does not come back', async () => {
    const fake = new FakeApi();
    let closedTo = '';
    const root = await start(fake, { onclose: (w: string) => (closedTo = w) });
    await click(byTestId(root, 'wizard-close'));
    expect(fake.settings.wizard_done).toBe(true);
    expect(closedTo).toBe('library');
  });
});
