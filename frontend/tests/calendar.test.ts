import { describe, expect, it } from 'vitest';
import ActivityDrawer from '../src/components/ActivityDrawer.svelte';
import Library from '../src/components/library/Library.svelte';
import { sourceColor } from '../src/lib/palette';
import { activitiesStore } from '../src/stores/activities.svelte';
import { sourcesStore } from '../src/stores/sources.svelte';
import { ui } from '../src/stores/ui.svelte';
import { importer } from '../src/components/library/importer.svelte';
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
    // The day shows where its rides stand: a failure outranks an upload.
    expect(day5.dataset.look).toBe('bad');
    expect(byTestId(root, 'year-day-2024-03-20').dataset.look).toBe('done');
    expect(byTestId(root, 'year-day-2024-03-28').dataset.look).toBe('todo');
    expect(byTestId(root, 'year-day-2024-03-06').dataset.count).toBe('0');
    // Month totals, in the one duration format.
    expect(text(byTestId(root, 'year-total-3'))).toBe('4h · 120 km');
    expect(byTestId(root, 'year-total-3').title).toBe('4 activities');
    expect(text(byTestId(root, 'year-legend'))).toMatch(/In Intervals\.icu.*Found, not uploaded yet.*Needs a look.*Failed or unreadable/);
    expect(text(byTestId(root, 'year-total-4'))).toBe('');

    await key(day5, 'Enter');
    expect(activitiesStore.view).toBe('month');
    expect(queryTestId(root, 'calendar-month')).not.toBeNull();
  });

  it('lists files without a date once, in the whole history, not in every period', async () => {
    const fake = library();
    fake.activities.push(makeActivity(5, { source: 'import', state: 'unreadable', name: 'broken', start: '', elapsed_s: 0, reason: 'file ends 19 bytes early', permanent: true }));
    const root = await open(fake);
    const note = byTestId(root, 'calendar-undated');
    expect(text(note)).toMatch(/1 file without a date/);
    expect(chipIds(root)).not.toContain(5);
    // The year's list leaves it out: it has no year.
    await click(byTestId(root, 'view-list'));
    expect(queryTestId(root, 'list-row-5')).toBeNull();
    await click(byTestId(root, 'undated-show'));
    await settle();
    expect(activitiesStore.allTime).toBe(true);
    expect(fake.callsTo('Activities').at(-1)?.[0]).toMatchObject({ since: '', until: '' });
    expect(text(byTestId(root, 'cal-title'))).toBe('Whole history');
    expect(root.querySelectorAll('[data-testid="list-row-5"]')).toHaveLength(1);
    expect(text(byTestId(root, 'list-row-5'))).toMatch(/Unreadable file.*File ends 19 bytes early/);
    expect(queryTestId(root, 'calendar-undated')).toBeNull();
  });

  it('finds by name, filters by sport and sorts the list by any column', async () => {
    const fake = library();
    fake.activities[0].sport = 'VirtualRide';
    fake.activities[1].sport = 'Ride';
    fake.activities[2].sport = 'VirtualRide';
    fake.activities[3].sport = 'Run';
    fake.activities[2].elapsed_s = 7200;
    fake.activities[3].elapsed_s = 600;
    const root = await open(fake);
    await click(byTestId(root, 'view-list'));
    const ids = () => [...root.querySelectorAll<HTMLElement>('[data-testid^="list-row-"]')].map((r) => Number(r.dataset.testid!.split('-').pop()));

    const search = byTestId(root, 'filter-search') as HTMLInputElement;
    search.value = 'zwift';
    search.dispatchEvent(new Event('input', { bubbles: true }));
    await settle();
    expect(ids()).toEqual([3]);
    activitiesStore.search('');
    await settle();

    await click(byTestId(root, 'filter-sport-VirtualRide'));
    expect(ids()).toEqual([3, 1]);
    expect(text(byTestId(root, 'filter-sport-VirtualRide'))).toMatch(/2/);
    await click(byTestId(root, 'filter-sport-VirtualRide'));

    await click(byTestId(root, 'list-sort-duration'));
    expect(ids()).toEqual([3, 2, 1, 4]);
    expect(byTestId(root, 'list-sort-duration').closest('th')!.getAttribute('aria-sort')).toBe('descending');
    await click(byTestId(root, 'list-sort-duration'));
    expect(ids()[0]).toBe(4);
    await click(byTestId(root, 'list-sort-name'));
    expect(ids()).toEqual([4, 2, 1, 3]);
  });

  it('keeps the selection count to what is shown and would be uploaded', async () => {
    const root = await open(library());
    await click(byTestId(root, 'view-list'));
    await click(byTestId(root, 'list-select-all'));
    expect(text(byTestId(root, 'selection-count'))).toBe('4 activities');
    await click(byTestId(root, 'filter-source-mywhoosh'));
    expect(text(byTestId(root, 'selection-count'))).toBe('2 activities');
    // Showing all again does not bring back what the filter dropped.
    await click(byTestId(root, 'filter-source-mywhoosh'));
    expect(text(byTestId(root, 'selection-count'))).toBe('2 activities');
    await click(byTestId(root, 'cal-prev'));
    await settle();
    expect(queryTestId(root, 'selection-bar')).toBeNull();
  });

  it('says the library already has files added again', async () => {
    const fake = library();
    const root = await open(fake);
    fake.handlers.ImportFiles = () => ({
      activities: [
        { ...fake.activities[0], already_in_library: true },
        makeActivity(9, { source: 'import', state: 'ready', name: 'New ride', start: at(9) }),
      ],
    });
    await importer.files([new File(['x'], 'ride.fit'), new File(['y'], 'new.fit')]);
    await settle();
    expect(text(byTestId(root, 'import-headline'))).toBe('2 files added: 1 ready to upload, 1 already in your library.');
    expect(root.querySelectorAll('[data-testid="import-known"]')).toHaveLength(1);
    fake.handlers.ImportFiles = () => ({ activities: [{ ...fake.activities[0], already_in_library: true }] });
    await importer.files([new File(['x'], 'ride.fit')]);
    await settle();
    expect(text(byTestId(root, 'import-headline'))).toBe('Already in your library: 1 file, nothing new.');
    importer.clear();
  });

  it('says so when a year has no activities', async () => {
    const root = await open(library());
    await click(byTestId(root, 'view-year'));
    await click(byTestId(root, 'cal-prev'));
    await settle();
    expect(text(byTestId(root, 'period-empty'))).toBe('No activities in 2023.');
  });

  it('lists activities with date, source, state and reason', async () => {
    const root = await open(library());
    await click(byTestId(root, 'view-list'));
    const rows = root.querySelectorAll('[data-testid^="list-row-"]');
    expect([...rows].map((r) => (r as HTMLElement).dataset.testid)).toEqual(['list-row-4', 'list-row-3', 'list-row-2', 'list-row-1']);
    expect(text(byTestId(root, 'list-row-2'))).toMatch(/Road ride.*Virtual ride.*1h.*30\.0 km.*iGPSport.*Failed.*Intervals\.icu was busy/);
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
    // The reason is said once: under the state, not again on the latest history line.
    expect(text(byTestId(drawer, 'drawer-history'))).toMatch(/Failed.*Found/);
    expect(text(drawer).split('Intervals.icu was busy')).toHaveLength(2);

    expect(queryTestId(drawer, 'activity-chart')).not.toBeNull();

    await click(byTestId(drawer, 'drawer-intervals-link'));
    expect(fake.opened).toEqual(['https://intervals.icu/activities/i9']);

    await click(byTestId(drawer, 'drawer-upload'));
    expect(fake.callsTo('StartBackfill').at(-1)![0]).toMatchObject({ ids: [2] });

    await key(document.body, 'Escape');
    expect(queryTestId(root, 'activity-drawer')).toBeNull();
    expect(activitiesStore.openId).toBeNull();
  });

  it('shows the new state in the open drawer when the library changes', async () => {
    const fake = library();
    const root = render(ActivityDrawer).target;
    activitiesStore.open(2);
    await settle();
    await click(byTestId(root, 'drawer-upload'));
    expect(text(byTestId(root, 'drawer-upload'))).toBe('Upload started');
    fake.activities[1] = { ...fake.activities[1], state: 'uploaded', reason: '', intervals_url: 'https://intervals.icu/activities/i7' };
    fake.emit('library');
    await settle();
    expect(fake.callsTo('ActivityDetail')).toEqual([[2], [2]]);
    expect(text(byTestId(root, 'activity-drawer'))).toMatch(/Uploaded/);
    expect(queryTestId(root, 'drawer-upload')).toBeNull();
    expect(queryTestId(root, 'drawer-intervals-link')).not.toBeNull();
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
