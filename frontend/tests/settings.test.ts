import { describe, expect, it } from 'vitest';
import Settings from '../src/components/Settings.svelte';
import { backfillStore } from '../src/stores/backfill.svelte';
import { settingsStore } from '../src/stores/settings.svelte';
import { sourcesStore } from '../src/stores/sources.svelte';
import { statusStore } from '../src/stores/status.svelte';
import { ui } from '../src/stores/ui.svelte';
import { byTestId, click, render, settle, text } from './helpers';
import { FakeApi } from './fakeApi';

async function open(fake: FakeApi) {
  fake.install();
  await Promise.all([statusStore.load(), settingsStore.load(), sourcesStore.load(), backfillStore.load()]);
  const r = render(Settings);
  await settle();
  return r.target;
}

describe('settings: automatic sync, units, week and language', () => {
  it('shows the last and next automatic sync and starts one now', async () => {
    const fake = new FakeApi();
    fake.settings = { ...fake.settings, continuous_sync: true, poll_minutes: 30 };
    const last = new Date(Date.now() - 10 * 60_000).toISOString();
    fake.sources = fake.sources.map((s) => (s.name === 'mywhoosh' ? { ...s, connected: true, state: 'connected', last_sync: last } : s));
    const root = await open(fake);
    expect(text(byTestId(root, 'settings-last-sync'))).not.toBe('Not yet');
    const next = text(byTestId(root, 'settings-next-sync'));
    expect(next).not.toMatch(/off|Not yet/);
    await click(byTestId(root, 'settings-sync-now'));
    expect(fake.callsTo('StartBackfill').at(-1)![0]).toMatchObject({ ids: [], sources: [] });
    expect(ui.screen).toBe('backfill');
  });

  it('says automatic sync is off when it is', async () => {
    const fake = new FakeApi();
    fake.settings = { ...fake.settings, continuous_sync: false };
    const root = await open(fake);
    expect(text(byTestId(root, 'settings-next-sync'))).toBe('Automatic sync is off');
  });

  it('saves miles, Sunday and German', async () => {
    const fake = new FakeApi();
    const root = await open(fake);
    for (const [id, value] of [
      ['settings-units', 'mi'],
      ['settings-week-start', 'sunday'],
      ['settings-language', 'de'],
    ]) {
      const sel = byTestId<HTMLSelectElement>(root, id);
      sel.value = value;
      sel.dispatchEvent(new Event('change', { bubbles: true }));
      await settle();
    }
    expect(fake.settings).toMatchObject({ units: 'mi', week_start: 'sunday', language: 'de' });
    expect(text(byTestId(root, 'settings-sync-now'))).toBe('Jetzt abgleichen');
    await settingsStore.save({ language: 'en', units: '', week_start: 'monday' });
  });
});
