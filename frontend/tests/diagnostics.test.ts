import { describe, expect, it } from 'vitest';
import App from '../src/App.svelte';
import Diagnostics from '../src/components/Diagnostics.svelte';
import { sourcesStore } from '../src/stores/sources.svelte';
import { ui } from '../src/stores/ui.svelte';
import { byTestId, click, queryTestId, render, settle, text } from './helpers';
import { FakeApi, makeCheck, makeReport, makeSettings } from './fakeApi';

function withReport() {
  const fake = new FakeApi();
  fake.report = makeReport({
    checks: [
      makeCheck({
        note: 'timezone Europe/London',
        shape: { id: 'string(6)', name: 'string(10)', zwift_sync_activities: 'bool' },
        answers: { '9': 'zwift_sync_activities present, false', '5': 'no: HTTP 200' },
        questions: { '5': 'Does GET /activities without newest really fail?' },
      }),
      makeCheck({
        service: 'mywhoosh',
        call: 'sign-in check (the platform\'s one cheap call)',
        ok: false,
        needs_sign_in: true,
        status: 401,
        ms: 340,
        note: 'MyWhoosh refused the stored sign-in: connect it again in Settings',
      }),
      makeCheck({ service: 'zwift', call: 'read the folders', ok: false, status: 0, ms: 3, note: 'the folder went away' }),
    ],
  });
  return fake.install();
}

async function openPage(fake: FakeApi) {
  await sourcesStore.load();
  const root = render(Diagnostics).target;
  await settle();
  return { root, fake };
}

describe('diagnostics page', () => {
  it('runs the checks and shows one row per check', async () => {
    const { root, fake } = await openPage(withReport());
    expect(queryTestId(root, 'diagnostics-check-0')).toBeNull();
    expect(fake.callsTo('Diagnostics')).toHaveLength(0);

    await click(byTestId(root, 'diagnostics-run'));
    expect(fake.callsTo('Diagnostics')).toEqual([[]]);

    const rows = root.querySelectorAll('[data-testid^="diagnostics-check-"]');
    expect(rows).toHaveLength(3);
    // One plain line each: what works, or what to do with this window's buttons.
    expect(text(byTestId(root, 'diagnostics-check-0'))).toBe('✓ Intervals.icu: works.');
    expect(text(byTestId(root, 'diagnostics-check-1'))).toMatch(/^! MyWhoosh: needs you to sign in again: press Reconnect\.\s*Reconnect$/);
    expect(text(byTestId(root, 'diagnostics-check-2'))).toBe('✕ Zwift: the folder cannot be read. Check it in Settings under Connected accounts and folders.');
    for (const r of rows) expect(text(r)).not.toMatch(/fitbridge |HTTP|ms\b|GET /);
    expect(byTestId(root, 'diagnostics-check-0').dataset.verdict).toBe('ok');
    expect(byTestId(root, 'diagnostics-check-2').dataset.verdict).toBe('problem');

    // The technical detail is folded under "Details for a bug report".
    const details = byTestId<HTMLDetailsElement>(root, 'diagnostics-details');
    expect(details.open).toBe(false);
    expect(text(byTestId(root, 'diagnostics-details-summary'))).toBe('Details for a bug report');
    expect(text(details)).toMatch(/GET \/api\/v1\/athlete\/0.*HTTP 200.*120 ms/);
    expect(text(details)).toMatch(/timezone Europe\/London/);
    const dts = [...byTestId(root, 'diagnostics-answers-0').querySelectorAll('dt')].map((d) => text(d));
    expect(dts).toEqual(['Open question 5', 'Open question 9']);
    expect(text(byTestId(root, 'diagnostics-answers-0'))).toMatch(/zwift_sync_activities present, false/);
    // The question is shown as the platform asked it, where it says.
    const asked = [...byTestId(root, 'diagnostics-answers-0').querySelectorAll('dd .asked')].map((d) => text(d));
    expect(asked).toEqual(['Does GET /activities without newest really fail?']);

    expect(text(byTestId(root, 'diagnostics-status'))).toBe('2 of 3 checks need attention.');
    expect(text(byTestId(root, 'diagnostics-file'))).toBe('/home/rider/.fitbridge/logs/doctor-20240305-100000.txt');

    // Copy report puts the report on the clipboard; Open folder asks the backend.
    let copied = '';
    Object.defineProperty(navigator, 'clipboard', { value: { writeText: async (s: string) => void (copied = s) }, configurable: true });
    fake.handlers.OpenLogsFolder = () => undefined;
    await click(byTestId(root, 'diagnostics-copy'));
    expect(JSON.parse(copied).file).toBe('/home/rider/.fitbridge/logs/doctor-20240305-100000.txt');
    expect(text(byTestId(root, 'diagnostics-copy'))).toBe('Copied');
    await click(byTestId(root, 'diagnostics-open-folder'));
    expect(fake.callsTo('OpenLogsFolder')).toEqual([[]]);
  });

  it('shows a busy state while the checks run', async () => {
    const fake = withReport();
    let finish!: () => void;
    const report = fake.report;
    fake.handlers.Diagnostics = () => new Promise((r) => (finish = () => r(report)));
    const { root } = await openPage(fake);

    await click(byTestId(root, 'diagnostics-run'));
    const btn = byTestId(root, 'diagnostics-run');
    expect(btn.getAttribute('aria-disabled')).toBe('true');
    expect(queryTestId(root, 'diagnostics-busy')).not.toBeNull();
    // A second press while it runs does not start another run.
    await click(btn);
    expect(fake.callsTo('Diagnostics')).toHaveLength(1);

    finish();
    await settle();
    expect(queryTestId(root, 'diagnostics-busy')).toBeNull();
    expect(btn.getAttribute('aria-disabled')).toBe('false');
    expect(queryTestId(root, 'diagnostics-check-0')).not.toBeNull();
  });

  it('offers Reconnect only on needs-sign-in rows, and it opens the accounts in Settings', async () => {
    const { root } = await openPage(withReport());
    await click(byTestId(root, 'diagnostics-run'));
    expect(queryTestId(root, 'diagnostics-reconnect-0')).toBeNull();
    expect(queryTestId(root, 'diagnostics-reconnect-2')).toBeNull();
    const btn = byTestId(root, 'diagnostics-reconnect-1');
    expect(btn.getAttribute('aria-label')).toBe('Reconnect MyWhoosh');
    await click(btn);
    expect(ui.screen).toBe('settings');
    expect(ui.focusSection).toBe('accounts');
  });

  it('folds and unfolds the reply shape', async () => {
    const { root } = await openPage(withReport());
    await click(byTestId(root, 'diagnostics-run'));
    // Only a check with a recorded reply has the toggle.
    expect(queryTestId(root, 'diagnostics-shape-toggle-1')).toBeNull();
    const toggle = byTestId(root, 'diagnostics-shape-toggle-0');
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(queryTestId(root, 'diagnostics-shape-0')).toBeNull();

    await click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    const pre = byTestId(root, 'diagnostics-shape-0');
    expect(toggle.getAttribute('aria-controls')).toBe(pre.id);
    expect(JSON.parse(pre.textContent!)).toEqual({ id: 'string(6)', name: 'string(10)', zwift_sync_activities: 'bool' });
    expect(pre.textContent).toContain('\n  "id": "string(6)"');

    await click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(queryTestId(root, 'diagnostics-shape-0')).toBeNull();
  });

  it('says so when everything passed, or nothing is connected', async () => {
    const fake = new FakeApi().install();
    const { root } = await openPage(fake);
    await click(byTestId(root, 'diagnostics-run'));
    expect(text(byTestId(root, 'diagnostics-status'))).toBe('All 1 check passed.');

    fake.report = makeReport({ checks: null, file: '' });
    await click(byTestId(root, 'diagnostics-run'));
    expect(text(byTestId(root, 'diagnostics-status'))).toMatch(/Nothing is connected yet/);
    expect(queryTestId(root, 'diagnostics-file')).toBeNull();
    expect(queryTestId(root, 'diagnostics-no-file')).not.toBeNull();
  });

  it('shows a failed run plainly', async () => {
    const fake = new FakeApi();
    fake.handlers.Diagnostics = () => {
      throw new Error('the logs folder cannot be written');
    };
    const { root } = await openPage(fake.install());
    await click(byTestId(root, 'diagnostics-run'));
    expect(text(byTestId(root, 'diagnostics-error'))).toBe('The checks could not run: the logs folder cannot be written');
    expect(queryTestId(root, 'diagnostics-check-0')).toBeNull();
  });

  it('has its own tab next to Settings', async () => {
    const fake = new FakeApi();
    fake.status.first_run = false;
    fake.settings = makeSettings({ wizard_done: true });
    fake.install();
    const root = render(App).target;
    await settle();
    const tabs = [...root.querySelectorAll('nav [data-testid^="nav-"]')].map((b) => b.getAttribute('data-testid'));
    expect(tabs.slice(-2)).toEqual(['nav-settings', 'nav-diagnostics']);
    await click(byTestId(root, 'nav-diagnostics'));
    expect(byTestId(root, 'nav-diagnostics').getAttribute('aria-current')).toBe('page');
    expect(queryTestId(root, 'diagnostics-run')).not.toBeNull();
  });
});
