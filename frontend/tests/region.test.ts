import { afterEach, describe, expect, it } from 'vitest';
import Library from '../src/components/library/Library.svelte';
import { monthWeeks } from '../src/lib/calendar';
import { distance, duration, nameOf } from '../src/lib/format';
import { locale } from '../src/lib/i18n/index.svelte';
import { activitiesStore } from '../src/stores/activities.svelte';
import { settingsStore } from '../src/stores/settings.svelte';
import { sourcesStore } from '../src/stores/sources.svelte';
import { statusStore } from '../src/stores/status.svelte';
import { byTestId, render, settle, text } from './helpers';
import { FakeApi, makeActivity, makeStatus } from './fakeApi';

const at = (d: number, h = 9) => new Date(2024, 2, d, h, 0).toISOString();

function library(over: Partial<FakeApi['settings']> = {}) {
  const fake = new FakeApi();
  fake.settings = { ...fake.settings, ...over };
  fake.activities = [
    makeActivity(1, { source: 'mywhoosh', state: 'uploaded', name: 'Tempo', start: at(4, 7), elapsed_s: 4680, distance_m: 40_234 }),
    makeActivity(2, { source: 'zwift', state: 'ready', name: 'Sunday spin', start: at(3, 10), elapsed_s: 3480, distance_m: 25_000 }),
  ];
  return fake.install();
}

async function open() {
  await settingsStore.load();
  await sourcesStore.load();
  activitiesStore.goTo(new Date(2024, 2, 1), 'month');
  const r = render(Library);
  await settle();
  return r.target;
}

afterEach(() => {
  locale.setSystem('en-US');
});

describe('units, week start and language', () => {
  it('names a ride without a name by its sport and time, not its file', () => {
    const ride = { name: '', sport: 'VirtualRide', start: new Date(2024, 2, 3, 7, 30).toISOString(), file: '2024-03-03-07-30-11.fit' };
    expect(nameOf(ride)).toMatch(/^Virtual ride 07:30/);
    locale.setSystem('de-DE');
    expect(nameOf(ride)).toBe('Virtuelle Radfahrt 07:30');
    expect(nameOf({ ...ride, name: 'Alpe du Zwift' })).toBe('Alpe du Zwift');
  });

  it('writes every duration one way', () => {
    expect(duration(4680)).toBe('1h 18m');
    expect(duration(3480)).toBe('58m');
    expect(duration(7200)).toBe('2h');
    expect(duration(40)).toBe('40s');
    expect(duration(0)).toBe('–');
  });

  it("shows miles when the rider picks them, and the athlete's unit by default", async () => {
    library({ units: 'mi' });
    await settingsStore.load();
    expect(distance(40_234)).toBe('25.0 mi');
    expect(distance(100)).toBe('328 ft');
    await settingsStore.save({ units: '' });
    statusStore.status = makeStatus({ intervals: { connected: true, athlete_id: 'i1', athlete_name: 'A', timezone: '', units: 'mi', state: 'connected', url: '' } });
    expect(distance(40_234)).toBe('25.0 mi');
    statusStore.status = makeStatus();
    expect(distance(40_234)).toBe('40.2 km');
  });

  it('starts weeks on Sunday when the rider says so', async () => {
    const fake = library({ week_start: 'sunday' });
    const root = await open();
    const heads = [...root.querySelectorAll('[role="columnheader"]')].map((h) => text(h));
    expect(heads.slice(0, 2)).toEqual(['Sun', 'Mon']);
    expect(monthWeeks(new Date(2024, 2, 1))[0][0].key).toBe('2024-02-25');
    // Sunday 3 and Monday 4 March share a week, so one week total holds both.
    const week = byTestId(root, 'calendar-day-2024-03-03').parentElement!;
    expect(week.contains(byTestId(root, 'calendar-day-2024-03-04'))).toBe(true);
    expect(text(week.querySelector('.total'))).toMatch(/^2h 16m.*65\.2 km.*2 activities$/);
    expect(fake.settings.week_start).toBe('sunday');
  });

  it('speaks German with German names of months and days when the system does', async () => {
    locale.setSystem('de-DE');
    library({ language: '' });
    const root = await open();
    expect(text(byTestId(root, 'cal-title'))).toBe('März 2024');
    expect(text(byTestId(root, 'view-month'))).toBe('Monat');
    expect(text(byTestId(root, 'cal-today'))).toBe('Heute');
    expect(text(root.querySelector('[role="columnheader"]'))).toBe('Mo');
    expect(duration(4680)).toBe('1 h 18 min');
    expect(distance(40_234)).toBe('40,2 km');
    await settingsStore.save({ language: 'en' });
    await settle();
    expect(text(byTestId(root, 'cal-title'))).toBe('March 2024');
  });
});
