import { describe, expect, it } from 'vitest';
import MonthView from '../src/components/library/MonthView.svelte';
import PlannedSettings from '../src/components/workouts/PlannedSettings.svelte';
import { activitiesStore } from '../src/stores/activities.svelte';
import { settingsStore } from '../src/stores/settings.svelte';
import { byTestId, click, render, settle, text } from './helpers';
import { FakeApi } from './fakeApi';

describe('planned workouts', () => {
  it('shows each planned workout on its day with where it went', async () => {
    const fake = new FakeApi();
    fake.planned = [
      {
        id: '55',
        date: '2026-12-10',
        name: 'Sweet Spot 3x10',
        sport: 'Ride',
        deliveries: [
          { target: 'zwift', displayName: 'Zwift', state: 'delivered', changes: ['power ranges became their middle (88–94% FTP became 91% FTP)'] },
          { target: 'igpsport', displayName: 'iGPSport', state: 'failed', reason: 'iGPSport does not list it', changes: [] },
        ],
      },
    ];
    fake.install();
    activitiesStore.goTo(new Date(2026, 11, 1), 'month');
    const root = render(MonthView).target;
    await settle();
    const chip = byTestId(root, 'planned-55');
    expect(chip.closest('[data-day]')?.getAttribute('data-day')).toBe('2026-12-10');
    expect(text(chip)).toContain('Sweet Spot 3x10');
    expect(chip.getAttribute('aria-label')).toBe('Planned workout Sweet Spot 3x10. Zwift: sent; iGPSport: not sent (iGPSport does not list it)');
    expect(chip.getAttribute('title')).toContain('changed: power ranges became their middle');
    expect(chip.classList.contains('failed')).toBe(true);
    const asked = fake.callsTo('PlannedWorkouts').at(-1);
    expect(asked).toEqual(['2026-11-30', '2027-01-03']);
  });

  it('says what continuous sync will do, and sends on request', async () => {
    const fake = new FakeApi();
    fake.workoutTargets = [
      { name: 'igpsport', displayName: 'iGPSport', connected: false },
      { name: 'mywhoosh', displayName: 'MyWhoosh', connected: true, unavailable: 'MyWhoosh cannot take planned workouts from FitBridge yet.' },
      { name: 'zwift', displayName: 'Zwift', connected: true },
    ];
    fake.workoutResults = [
      { id: '1', date: '2026-12-09', name: 'A', target: 'zwift', state: 'delivered', changes: [], reason: '' },
      { id: '2', date: '2026-12-10', name: 'B', target: 'zwift', state: 'failed', changes: [], reason: 'no steps' },
    ];
    fake.install();
    await settingsStore.load();
    const root = render(PlannedSettings).target;
    await settle();
    const section = byTestId(root, 'settings-workouts-sync').closest('label')!;
    expect(text(section)).toBe('Keep my planned workouts in Zwift up to date while FitBridge is open');
    expect(text(byTestId(root, 'workout-targets'))).toContain('MyWhoosh cannot take planned workouts from FitBridge yet.');
    await click(byTestId(root, 'workouts-send-now'));
    await settle();
    expect(fake.callsTo('DeliverWorkouts').at(-1)).toEqual([{ to: [], days: 14, dryRun: false }]);
    expect(text(byTestId(root, 'workouts-last-run'))).toBe('1 delivered, 0 updated, 0 removed, 1 could not be sent.');
    expect(text(root)).toContain('2026-12-10 B: no steps');
  });
});
