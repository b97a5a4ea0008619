import { describe, expect, it } from 'vitest';
import BackfillScreen from '../src/components/backfill/BackfillScreen.svelte';
import { backfillStore } from '../src/stores/backfill.svelte';
import { sourcesStore } from '../src/stores/sources.svelte';
import { statusStore } from '../src/stores/status.svelte';
import { byTestId, click, queryTestId, render, settle, text } from './helpers';
import { FakeApi, makeProgress } from './fakeApi';

function running() {
  const fake = new FakeApi();
  fake.sources[0] = { ...fake.sources[0], connected: true, state: 'connected' };
  fake.sources[1] = { ...fake.sources[1], connected: true, state: 'connected' };
  fake.progress = makeProgress({
    running: true,
    phase: 'uploading',
    total: 200,
    done: 80,
    counts: { uploaded: 60, already_in_intervals: 15, failed: 2, skipped: 3 },
    by_source: { mywhoosh: { uploaded: 50, already_in_intervals: 10, failed: 2 }, igpsport: { uploaded: 10, already_in_intervals: 5, skipped: 3 } },
    current: 'MyWhoosh — Alpine climb, 12 May 2023',
    rate_per_min: 24,
    seconds_left: 300,
    failures: [
      { id: 41, source: 'mywhoosh', remote_id: 'a41', name: 'Tempo ride', reason: 'Intervals.icu answered 503; will try again', permanent: false },
      { id: 42, source: 'mywhoosh', remote_id: 'a42', name: 'Broken file', reason: 'The file ends in the middle of a record', permanent: true },
    ],
    started_at: '2024-03-05T10:00:00Z',
  });
  return fake.install();
}

async function open(fake: FakeApi) {
  await sourcesStore.load();
  await backfillStore.load();
  const off = backfillStore.init();
  const r = render(BackfillScreen);
  await settle();
  return { root: r.target, off, fake };
}

describe('backfill screen', () => {
  it('shows overall progress, counts, rate, time left and the current item', async () => {
    const { root, off } = await open(running());
    const bar = byTestId(root, 'backfill-progress');
    expect(bar.getAttribute('role')).toBe('progressbar');
    expect(bar.getAttribute('aria-valuenow')).toBe('80');
    expect(bar.getAttribute('aria-valuemax')).toBe('200');
    expect(bar.querySelector<HTMLElement>('.fill')!.style.width).toBe('40%');

    expect(text(byTestId(root, 'backfill-phase'))).toBe('Uploading to Intervals.icu');
    expect(text(byTestId(root, 'backfill-done-total'))).toBe('80 of 200 activities');
    expect(text(byTestId(root, 'backfill-rate'))).toBe('24 per minute');
    expect(text(byTestId(root, 'backfill-time-left'))).toBe('about 5 min left');
    expect(text(byTestId(root, 'backfill-current'))).toMatch(/Alpine climb/);
    expect(text(byTestId(root, 'backfill-count-uploaded'))).toMatch(/Uploaded 60/);
    expect(text(byTestId(root, 'backfill-count-already_in_intervals'))).toMatch(/Already in Intervals\.icu 15/);
    const table = byTestId<HTMLTableElement>(root, 'backfill-by-source');
    const cells = (tr: Element) => [...tr.querySelectorAll('th, td')].map((c) => text(c));
    expect(cells(table.querySelector('thead tr')!)).toEqual(['Source', 'Uploaded', 'Already in Intervals.icu', 'Failed', 'Skipped']);
    expect([...table.querySelectorAll('tbody tr')].map(cells)).toEqual([
      ['MyWhoosh', '50', '10', '2', '0'],
      ['iGPSport', '10', '5', '0', '3'],
    ]);
    off();
  });

  it('names the phase the backend reports while it works', async () => {
    const fake = running();
    fake.progress = { ...fake.progress, phase: 'syncing' };
    const { root, off } = await open(fake);
    expect(text(byTestId(root, 'backfill-phase'))).toBe('Bringing your activities into Intervals.icu');
    off();
  });

  it('fills the bar when the run finished and says when it stopped without "Finished"', async () => {
    const fake = running();
    fake.progress = { ...fake.progress, running: false, phase: 'done', done: 196, finished_at: '2024-03-05T11:00:00Z' };
    const { root, off } = await open(fake);
    const bar = byTestId(root, 'backfill-progress');
    expect(bar.getAttribute('aria-valuenow')).toBe('200');
    expect(bar.querySelector<HTMLElement>('.fill')!.style.width).toBe('100%');
    expect(text(root)).toMatch(/Finished/);
    fake.emit('progress', { ...fake.progress, phase: 'cancelled', done: 120 });
    await settle();
    expect(text(byTestId(root, 'backfill-phase'))).toBe('Stopped');
    expect(text(root)).not.toMatch(/Finished/);
    expect(bar.getAttribute('aria-valuenow')).toBe('120');
    off();
  });

  it('shows the page each source is listing, and only the count for a source without pages', async () => {
    const fake = running();
    fake.sources[3] = { ...fake.sources[3], connected: true, state: 'connected', folder: '/z' };
    fake.progress = makeProgress({
      running: true,
      phase: 'listing',
      listed: { mywhoosh: 60, zwift: 12 },
      listed_pages: { mywhoosh: 3 },
      current: 'listing MyWhoosh: page 3, 60 found',
    });
    const { root, off } = await open(fake);
    // Said once, per source, in the window's language: not again as the engine's English line.
    expect(queryTestId(root, 'backfill-current')).toBeNull();
    expect(text(byTestId(root, 'backfill-listing-mywhoosh'))).toMatch(/MyWhoosh\s*listing: page 3, 60 found$/);
    expect(text(byTestId(root, 'backfill-listing-zwift'))).toMatch(/listing: 12 found$/);
    fake.emit('progress', { ...fake.progress, listed: { mywhoosh: 80, zwift: 12 }, listed_pages: { mywhoosh: 4 } });
    await settle();
    expect(text(byTestId(root, 'backfill-listing-mywhoosh'))).toMatch(/listing: page 4, 80 found$/);
    off();
  });

  it('counting a preview shows the page each source is reading', async () => {
    const fake = new FakeApi();
    fake.status.intervals = { connected: true, athlete_id: 'i1', athlete_name: 'Ada', timezone: '', units: '', state: 'connected', url: '' };
    fake.sources[0] = { ...fake.sources[0], connected: true, state: 'connected' };
    fake.sources[3] = { ...fake.sources[3], connected: true, state: 'connected', folder: '/z' };
    let answer: () => void = () => {};
    fake.handlers.PreviewBackfill = () => new Promise((resolve) => (answer = () => resolve(fake.preview)));
    fake.install();
    await statusStore.load();
    const { root, off } = await open(fake);
    expect(text(byTestId(root, 'preview-listing-mywhoosh'))).toBe('listing: 0 found');
    fake.emit('counting', { source: 'mywhoosh', found: 40, page: 3 });
    fake.emit('counting', { source: 'zwift', found: 12, page: 0 });
    await settle();
    expect(text(byTestId(root, 'preview-listing-mywhoosh'))).toBe('listing: page 3, 40 found');
    expect(text(byTestId(root, 'preview-listing-zwift'))).toBe('listing: 12 found');
    answer();
    await settle();
    expect(queryTestId(root, 'preview-listing-mywhoosh')).toBeNull();
    off();
  });

  it('follows progress events', async () => {
    const { root, off, fake } = await open(running());
    fake.emit('progress', { ...fake.progress, done: 150 });
    await settle();
    expect(byTestId(root, 'backfill-progress').getAttribute('aria-valuenow')).toBe('150');
    off();
  });

  it('lists failures with reasons and retries them', async () => {
    const { root, off, fake } = await open(running());
    expect(text(byTestId(root, 'backfill-failure-41'))).toMatch(/Tempo ride.*503; will try again/);
    expect(text(byTestId(root, 'backfill-failure-42'))).toMatch(/ends in the middle.*retrying won't change this/);

    await click(byTestId(root, 'backfill-retry-41'));
    expect(fake.callsTo('RetryFailed')).toEqual([[[41]]]);

    // "Retry all" leaves out the ones that cannot succeed.
    await click(byTestId(root, 'backfill-retry-all'));
    expect(fake.callsTo('RetryFailed').at(-1)).toEqual([[41]]);
    off();
  });

  it('pauses, resumes and cancels', async () => {
    const { root, off, fake } = await open(running());
    expect(queryTestId(root, 'backfill-resume')).toBeNull();

    await click(byTestId(root, 'backfill-pause'));
    expect(fake.callsTo('PauseBackfill')).toHaveLength(1);
    expect(text(byTestId(root, 'backfill-phase'))).toBe('Paused');

    await click(byTestId(root, 'backfill-resume'));
    expect(fake.callsTo('ResumeBackfill')).toHaveLength(1);
    expect(queryTestId(root, 'backfill-pause')).not.toBeNull();

    await click(byTestId(root, 'backfill-cancel'));
    expect(fake.callsTo('CancelBackfill')).toHaveLength(0);
    await click(byTestId(root, 'backfill-cancel-confirm'));
    expect(fake.callsTo('CancelBackfill')).toHaveLength(1);
    expect(text(byTestId(root, 'backfill-phase'))).toBe('Stopped');
    expect(queryTestId(root, 'backfill-pause')).toBeNull();
    expect(queryTestId(root, 'backfill-new-run')).not.toBeNull();
    off();
  });

  it('asks to sign in again with a Reconnect button that shows the sign-in', async () => {
    const fake = running();
    fake.progress = { ...fake.progress, phase: 'needs_sign_in', message: 'MyWhoosh needs you to sign in again' };
    fake.sources[0] = { ...fake.sources[0], state: 'needs_sign_in', state_reason: 'The session ran out.' };
    const { root, off } = await open(fake);
    expect(text(byTestId(root, 'backfill-needs-sign-in'))).toMatch(/MyWhoosh needs you to sign in again/);

    await click(byTestId(root, 'backfill-reconnect'));
    await click(byTestId(root, 'source-connect-browser-mywhoosh'));
    expect(fake.callsTo('ConnectBrowser')).toEqual([['mywhoosh', '']]);
    off();
  });

  it('starts a first run when there is none', async () => {
    const fake = new FakeApi();
    fake.status.intervals = { connected: true, athlete_id: 'i1', athlete_name: 'Ada', timezone: '', units: '', state: 'connected', url: '' };
    fake.sources[0] = { ...fake.sources[0], connected: true, state: 'connected' };
    fake.install();
    await statusStore.load();
    const { root, off } = await open(fake);
    expect(queryTestId(root, 'backfill-progress')).toBeNull();
    await click(byTestId(root, 'start-backfill'));
    expect(fake.callsTo('StartBackfill')).toEqual([[{ sources: ['mywhoosh'], since: '', until: '', ids: [], dry_run: false, strava_copies: 'keep' }]]);
    expect(queryTestId(root, 'backfill-progress')).not.toBeNull();
    off();
  });
});

describe('runs and undo', () => {
  it('lists the runs and undoes one after confirming', async () => {
    const fake = running();
    fake.runs = [
      { id: 7, started: '2024-03-05T10:00:00Z', finished: '2024-03-05T10:20:00Z', kind: 'manual', uploaded: 3, already: 2, skipped: 1, failed: 0, undoable: 3 },
      { id: 6, started: '2024-03-04T10:00:00Z', finished: '2024-03-04T10:01:00Z', kind: 'continuous', uploaded: 1, already: 0, skipped: 0, failed: 0, undoable: 0, undone: '2024-03-04T11:00:00Z' },
    ];
    fake.undoResult = { deleted: 2, kept: 1, failed: 0, failures: [{ id: 3, intervals_id: 'i3', name: 'Renamed', reason: 'you changed its name', kept: true }] };
    const { root, off } = await open(fake);
    expect(text(byTestId(root, 'run-7'))).toMatch(/Backfill you started.*3 uploaded, 2 already in Intervals\.icu, 1 skipped, 0 failed/);
    expect(text(byTestId(root, 'run-6'))).toMatch(/Continuous sync.*Undone/);
    expect(queryTestId(root, 'run-6-undo')).toBeNull();

    await click(byTestId(root, 'run-7-undo'));
    expect(fake.callsTo('UndoRun')).toEqual([]);
    await click(byTestId(root, 'run-7-undo-confirm'));
    expect(fake.callsTo('UndoRun')).toEqual([[7, false]]);
    expect(text(byTestId(root, 'run-7-undo-result'))).toMatch(/2 deleted from Intervals\.icu and kept out, 1 left there/);
    off();
  });
});

describe('undo asks afresh for each run', () => {
  it('a tick for edited uploads on one run, then cancelled, is not carried to the next', async () => {
    const fake = running();
    fake.runs = [
      { id: 9, started: '2024-03-06T10:00:00Z', finished: '2024-03-06T10:20:00Z', kind: 'manual', uploaded: 2, already: 0, skipped: 0, failed: 0, undoable: 2 },
      { id: 8, started: '2024-03-05T10:00:00Z', finished: '2024-03-05T10:20:00Z', kind: 'manual', uploaded: 1, already: 0, skipped: 0, failed: 0, undoable: 1 },
    ];
    const { root, off } = await open(fake);
    await click(byTestId(root, 'run-9-undo'));
    await click(byTestId(root, 'run-9-undo-edited'));
    await click(byTestId(root, 'run-8-undo'));
    expect((byTestId(root, 'run-8-undo-edited') as HTMLInputElement).checked).toBe(false);
    await click(byTestId(root, 'run-8-undo-confirm'));
    expect(fake.callsTo('UndoRun')).toEqual([[8, false]]);
    off();
  });
});

describe('progress that races its own start', () => {
  it('a short run that ended before its start was answered does not stay "running"', async () => {
    const fake = new FakeApi().install();
    const off = backfillStore.init();
    // The run is over (its last event sent) before the call that started it answers.
    fake.handlers.StartBackfill = () => {
      fake.emit('progress', makeProgress({ running: false, phase: 'done', total: 1, done: 1 }));
      return makeProgress({ running: true, phase: 'listing' });
    };
    await backfillStore.start({ ids: [7] });
    await settle();
    expect(backfillStore.active).toBe(false);
    expect(backfillStore.progress?.phase).toBe('done');
    off();
  });

  it('an answer with no event on its way is taken as it is', async () => {
    const fake = new FakeApi().install();
    const off = backfillStore.init();
    fake.handlers.StartBackfill = () => makeProgress({ running: true, phase: 'listing' });
    await backfillStore.start({ ids: [7] });
    expect(backfillStore.active).toBe(true);
    off();
  });
});
