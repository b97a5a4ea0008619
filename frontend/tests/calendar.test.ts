import { describe, expect, it } from 'vitest';
import ActivityDrawer from '../src/components/ActivityDrawer.svelte';
import Library from '../src/components/library/Library.svelte';
import { sourceColor } from '../src/lib/palette';
import { activitiesStore } from '../src/stores/activities.svelte';
import { sourcesStore } from '../src/stores/sources.svelte';
import { ui } from '../src/stores/ui.svelte';
import { byTestId, click, key, queryTestId, render, settle, text } from './helpers';
import { FakeApi, makeActivity } from './fakeApi';

// Local times, so the day a rider sees is the day under test whatever the machine's zone.
const at = (d: number, h = 9) => new Date(2024, 2, d, h, 0).toISOString();

function library() {
  const fake = new FakeApi();
  fake.sources = fake.sources.map((s) => (s.coming_soon ? s : { ...s, connected: true, state: 'connected' as const }));
  fake.activities = [
    makeActivity(1, { source: 'mywhoosh', state: 'uploaded', name: 'Whoosh intervals', start: at(5, 7) }),
    makeActivity(2, { source: 'igpsport', state: 'failed', name: 'Road ride', start: at(5, 17), reason: 'Intervals.icu was busy' }),
    makeActivity(3, { source: 'zwift', state: 'already_in_intervals', name: 'Zwift race', start: at(20), matched_via: 'Strava' }),
    makeActivity(4, { source: 'mywhoosh', state: 'ready', name: 'Recovery', start: at(28) }),
  ];
  return fake.install();
}

async function open(fake: FakeApi) {
  await sourcesStore.load();
  activitiesStore.goTo(new Date(2024, 2, 1), 'month');
  const r = render(Library);
  await settle();
  expect(fake.callsTo('Activities')).not.toHaveLength(0);
  return r.target;
}

function chipIds(root: HTMLElement): number[] {
  return [...root.querySelectorAll<HTMLElement>('[data-testid^="activity-chip-"]')].map((c) => Number(c.dataset.testid!.split('-').pop()));
}

describe('calendar', () => {
  it('puts each activity in its day cell with its source colour and state mark', async () => {
    const root = await open(library());
    expect(text(byTestId(root, 'cal-title'))).toBe('March 2024');

    const day5 = byTestId(root, 'calendar-day-2024-03-05');
    const chip1 = byTestId(day5, 'activity-chip-1');
    const chip2 = byTestId(day5, 'activity-chip-2');
    expect(byTestId(root, 'calendar-day-2024-03-20').contains(byTestId(root, 'activity-chip-3'))).toBe(true);
    expect(byTestId(root, 'calendar-day-2024-03-06').querySelector('[data-testid^="activity-chip-"]')).toBeNull();

    expect(chip1.style.getPropertyValue('--src')).toBe(sourceColor('mywhoosh'));
    expect(chip2.style.getPropertyValue('--src')).toBe(sourceColor('igpsport'));
    expect(sourceColor('mywhoosh')).not.toBe(sourceColor('igpsport'));

    expect(chip1.dataset.state).toBe('uploaded');
    expect(text(byTestId(chip1, 'activity-mark'))).toBe('✓');
    expect(text(byTestId(chip2, 'activity-mark'))).toBe('✕');
    expect(chip2.getAttribute('aria-label')).toMatch(/Failed/);
    expect(text(byTestId(byTestId(root, 'activity-chip-3'), 'activity-mark'))).toBe('◎');

    // The legend names each source beside its colour.
    const legend = byTestId(root, 'calendar-legend');
    expect(text(legend)).toMatch(/MyWhoosh/);
    expect(byTestId(legend, 'filter-source-zwift').querySelector<HTMLElement>('.swatch')!.style.background).toBeTruthy();
  });

  it('filtering by state hides the others, and Show all brings them back', async () => {
    const root = await open(library());
    expect(chipIds(root).sort()).toEqual([1, 2, 3, 4]);

    await click(byTestId(root, 'filter-state-failed'));
    expect(byTestId(root, 'filter-state-failed').getAttribute('aria-pressed')).toBe('true');
    expect(chipIds(root)).toEqual([2]);

    await click(byTestId(root, 'filter-state-uploaded'));
    expect(chipIds(root).sort()).toEqual([1, 2]);

    await click(byTestId(root, 'filter-clear'));
    expect(chipIds(root).sort()).toEqual([1, 2, 3, 4]);

    await click(byTestId(root, 'filter-source-zwift'));
    expect(chipIds(root)).toEqual([3]);
  });

  it('selects a day and uploads only what can be uploaded', async () => {
    const fake = library();
    const root = await open(fake);
    await click(byTestId(root, 'calendar-day-2024-03-05'));
    expect(byTestId(root, 'calendar-day-2024-03-05').getAttribute('aria-selected')).toBe('true');
    expect(text(byTestId(root, 'selection-bar'))).toMatch(/2 activities selected, 1 can be uploaded/);

    await click(byTestId(root, 'upload-selected'));
    expect(fake.callsTo('StartBackfill')).toEqual([[{ sources: [], since: '', until: '', ids: [2], dry_run: false }]]);
    expect(ui.screen).toBe('backfill');
  });

  it('selects a range of days with Shift', async () => {
    const root = await open(library());
    await click(byTestId(root, 'calendar-day-2024-03-04'));
    await click(byTestId(root, 'calendar-day-2024-03-28'), { shiftKey: true });
    expect(activitiesStore.selectedDays).toHaveLength(25);
    expect(text(byTestId(root, 'selection-count'))).toBe('4 activities');
    expect(text(byTestId(root, 'upload-selected'))).toBe('Upload selected (2)');
  });

  it('works from the keyboard: arrows move, Enter selects a day, Space picks an activity, Enter opens it', async () => {
    const root = await open(library());
    const cell = byTestId(root, 'calendar-day-2024-03-05');
    cell.focus();
    await key(cell, 'ArrowRight');
    expect(document.activeElement).toBe(byTestId(root, 'calendar-day-2024-03-06'));
    expect(byTestId(root, 'calendar-day-2024-03-06').tabIndex).toBe(0);
    expect(cell.tabIndex).toBe(-1);

    await key(document.activeElement!, 'ArrowUp');
    expect(document.activeElement).toBe(byTestId(root, 'calendar-day-2024-02-28'));

    await key(byTestId(root, 'calendar-day-2024-03-20'), 'Enter');
    expect(activitiesStore.selectedDays).toEqual(['2024-03-20']);

    const chip = byTestId(root, 'activity-chip-4');
    await key(chip, ' ');
    expect(activitiesStore.selectedIds).toEqual([4]);
    expect(chip.getAttribute('aria-pressed')).toBe('true');
    await key(chip, 'Enter');
    expect(activitiesStore.openId).toBe(4);
  });

  it('moves between months and switches to the year overview', async () => {
    const fake = library();
    const root = await open(fake);
    await click(byTestId(root, 'cal-next'));
    expect(text(byTestId(root, 'cal-title'))).toBe('April 2024');
    await click(byTestId(root, 'cal-prev'));

    await click(byTestId(root, 'view-year'));
    expect(byTestId(root, 'view-year').getAttribute('aria-pressed')).toBe('true');
    expect(text(byTestId(root, 'cal-title'))).toBe('2024');
    const last = fake.callsTo('Activities').at(-1)![0] as { since: string; until: string };
    expect(last).toMatchObject({ since: '2024-01-01', until: '2024-12-31' });

    const day5 = byTestId(root, 'year-day-2024-03-05');
    expect(day5.dataset.count).toBe('2');
    expect(day5.getAttribute('aria-label')).toMatch(/2 activities/);
    expect(day5.querySelector('.flag')).not.toBeNull();
    expect(byTestId(root, 'year-day-2024-03-20').style.background).toBeTruthy();
    expect(byTestId(root, 'year-day-2024-03-06').dataset.count).toBe('0');

    await key(day5, 'Enter');
    expect(activitiesStore.view).toBe('month');
    expect(queryTestId(root, 'calendar-month')).not.toBeNull();
  });

  it('shows files without a date above the calendar, where they can be opened', async () => {
    const fake = library();
    fake.activities.push(makeActivity(5, { source: 'import', state: 'unreadable', name: 'broken', start: '', elapsed_s: 0, reason: 'file ends 19 bytes early', permanent: true }));
    const root = await open(fake);
    const strip = byTestId(root, 'calendar-undated');
    expect(text(strip)).toMatch(/Without a date \(1\)/);
    expect(chipIds(strip)).toEqual([5]);
    expect(chipIds(byTestId(root, 'calendar-month'))).not.toContain(5);
    expect(text(byTestId(root, 'filter-source-import'))).toBe('Added files 1');
    await click(byTestId(strip, 'activity-chip-5'));
    expect(activitiesStore.openId).toBe(5);
    activitiesStore.close();
    await click(byTestId(root, 'view-list'));
    expect(queryTestId(root, 'calendar-undated')).toBeNull();
    expect(text(byTestId(root, 'list-row-5'))).toMatch(/Unreadable file.*File ends 19 bytes early/);
  });

  it('lists activities with date, source, state and reason', async () => {
    const root = await open(library());
    await click(byTestId(root, 'view-list'));
    const rows = root.querySelectorAll('[data-testid^="list-row-"]');
    expect([...rows].map((r) => (r as HTMLElement).dataset.testid)).toEqual(['list-row-4', 'list-row-3', 'list-row-2', 'list-row-1']);
    expect(text(byTestId(root, 'list-row-2'))).toMatch(/Road ride.*1h 00m.*30\.0 km.*iGPSport.*Failed.*Intervals\.icu was busy/);
    await click(byTestId(root, 'list-select-2'));
    expect(text(byTestId(root, 'selection-bar'))).toMatch(/1 activity selected/);
  });
});

describe('activity drawer', () => {
  it('shows the summary and history, links to Intervals.icu, uploads and closes on Escape', async () => {
    const fake = library();
    fake.activities[1].intervals_url = 'https://intervals.icu/activities/i9';
    const root = render(ActivityDrawer).target;
    activitiesStore.open(2);
    await settle();

    const drawer = byTestId(root, 'activity-drawer');
    expect(fake.callsTo('ActivityDetail')).toEqual([[2]]);
    expect(text(drawer)).toMatch(/Road ride/);
    expect(text(byTestId(drawer, 'drawer-reason'))).toBe('Intervals.icu was busy');
    expect(text(byTestId(drawer, 'drawer-history'))).toMatch(/Failed.*Intervals\.icu was busy.*Found/);

    expect(queryTestId(drawer, 'activity-chart')).not.toBeNull();

    await click(byTestId(drawer, 'drawer-intervals-link'));
    expect(fake.opened).toEqual(['https://intervals.icu/activities/i9']);

    await click(byTestId(drawer, 'drawer-upload'));
    expect(fake.callsTo('StartBackfill').at(-1)![0]).toMatchObject({ ids: [2] });

    await key(document.body, 'Escape');
    expect(queryTestId(root, 'activity-drawer')).toBeNull();
    expect(activitiesStore.openId).toBeNull();
  });
});

describe('activity drawer decisions', () => {
  it('offers Upload anyway and Keep out for a probable duplicate, and remembers Keep out', async () => {
    const fake = library();
    fake.activities[1] = { ...fake.activities[1], state: 'needs_review', reason: 'Intervals.icu has an activity from Garmin Connect that started at the same time' };
    const root = render(ActivityDrawer).target;
    activitiesStore.open(2);
    await settle();
    const drawer = byTestId(root, 'activity-drawer');
    expect(text(byTestId(drawer, 'drawer-upload'))).toBe('Upload anyway');
    expect(text(byTestId(drawer, 'drawer-review-help'))).toMatch(/remembers your choice/);
    await click(byTestId(drawer, 'drawer-keep-out'));
    expect(fake.callsTo('KeepOut')).toEqual([[[2]]]);
    expect(text(byTestId(drawer, 'drawer-reason'))).toMatch(/^Kept out/);
    // Kept out, it can still go up when the rider changes their mind.
    expect(text(byTestId(drawer, 'drawer-upload'))).toBe('Upload anyway');
    expect(queryTestId(drawer, 'drawer-keep-out')).toBeNull();
    activitiesStore.close();
  });

  it('undoes an upload, and offers to delete anyway one the rider edited', async () => {
    const fake = library();
    fake.undoResult = { deleted: 0, kept: 1, failed: 0, failures: [{ id: 1, intervals_id: 'i1', name: 'Whoosh intervals', reason: 'you changed its name in Intervals.icu since: confirm to delete it anyway', kept: true }] };
    const root = render(ActivityDrawer).target;
    activitiesStore.open(1);
    await settle();
    const drawer = byTestId(root, 'activity-drawer');
    await click(byTestId(drawer, 'drawer-undo'));
    expect(fake.callsTo('UndoUploads')).toEqual([[[1], false]]);
    expect(text(byTestId(drawer, 'drawer-undo-result'))).toMatch(/changed its name/);
    await click(byTestId(drawer, 'drawer-undo-edited'));
    expect(fake.callsTo('UndoUploads').at(-1)).toEqual([[1], true]);
    activitiesStore.close();
  });

  it('offers the original of a ride Intervals.icu holds only as a Strava copy', async () => {
    const fake = library();
    const root = render(ActivityDrawer).target;
    activitiesStore.open(3);
    await settle();
    const drawer = byTestId(root, 'activity-drawer');
    expect(text(byTestId(drawer, 'drawer-strava-help'))).toMatch(/only as a Strava copy.*shows both/);
    await click(byTestId(drawer, 'drawer-upload-original'));
    expect(fake.callsTo('StartBackfill').at(-1)![0]).toMatchObject({ ids: [3] });
    activitiesStore.close();
  });
});
