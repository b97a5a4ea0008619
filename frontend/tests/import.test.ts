import { describe, expect, it } from 'vitest';
import ImportButtons from '../src/components/library/ImportButtons.svelte';
import ImportResult from '../src/components/library/ImportResult.svelte';
import { importer, NATIVE_DROP_WAIT_MS, uploadBatches } from '../src/components/library/importer.svelte';
import type { ImportFile } from '../src/lib/types';
import { FakeApi, makeActivity } from './fakeApi';
import { byTestId, render, settle, text } from './helpers';

function fileIn(folderPath: string, body = 'x'): File {
  const f = new File([body], folderPath.split('/').pop() ?? folderPath);
  Object.defineProperty(f, 'webkitRelativePath', { value: folderPath });
  return f;
}

describe('adding an export archive', () => {
  it('sends a picked folder with each file’s path inside it, so an unpacked export is recognised', async () => {
    const fake = new FakeApi().install();
    await importer.files([fileIn('export_7/activities.csv'), fileIn('export_7/activities/1.fit'), new File(['y'], 'loose.fit')]);
    const calls = fake.callsTo('ImportFiles');
    expect(calls).toHaveLength(1);
    const names = (calls[0][0] as ImportFile[]).map((f) => f.name);
    expect(names).toEqual(['export_7/activities.csv', 'export_7/activities/1.fit', 'loose.fit']);
  });

  it('shows how far the archive has come while it is read', async () => {
    const fake = new FakeApi().install();
    let finish: (v: unknown) => void = () => {};
    fake.handlers.ImportFiles = () => new Promise((r) => (finish = r));
    const root = render(ImportButtons).target;
    const done = importer.files([new File(['z'], 'export_1.zip')]);
    await settle();
    fake.emit('import_progress', { archive: 'export_1.zip', kind: 'Strava export', done: 3, total: 10 });
    await settle();
    expect(text(byTestId(root, 'import-progress'))).toContain('Reading the Strava export: 3 of 10 activities');
    finish({ activities: [] });
    await done;
  });

  it('lists every member, unreadable ones without an id too, and what was repaired', async () => {
    const fake = new FakeApi().install();
    fake.handlers.ImportFiles = () => ({
      activities: [
        makeActivity(0, { id: 0, file: 'export_1.zip/activities/5.fit', name: '', state: 'unreadable', reason: 'this part of the archive is damaged' }),
        makeActivity(0, { id: 0, file: 'export_1.zip/activities/6.fit', name: '', state: 'unreadable', reason: 'this part of the archive is damaged' }),
        makeActivity(7, { name: 'Battery died', state: 'ready', reason: '', repaired: 'repaired: the file ended early, 31 minutes of records kept' }),
      ],
    });
    const root = render(ImportResult).target;
    await importer.files([new File(['z'], 'export_1.zip')]);
    await settle();
    const t = text(byTestId(root, 'import-result'));
    expect(t).toContain('export_1.zip/activities/5.fit');
    expect(t).toContain('export_1.zip/activities/6.fit');
    expect(t).toContain('Repaired: the file ended early, 31 minutes of records kept');
  });
});

/** The window: it names the paths of dropped files. */
class WindowWithDrops extends FakeApi {
  dropPaths?: (paths: string[]) => void;
  onFileDrop(cb: (paths: string[]) => void) {
    this.dropPaths = cb;
    return () => (this.dropPaths = undefined);
  }
}

/** What a drop event carries: files, no folder entries. */
function dropped(...files: File[]): DataTransfer {
  return { files, items: [] } as unknown as DataTransfer;
}

describe('dropping files on the window', () => {
  it('imports them by path, read where they are, never as bytes', async () => {
    const fake = new WindowWithDrops().install();
    const stop = importer.listenForDrops();
    try {
      // The drop event comes first, then the window names the paths.
      await importer.drop(dropped(new File(['z'.repeat(10)], 'export_1.zip')));
      fake.dropPaths?.(['/home/rider/Downloads/export_1.zip']);
      await settle();
      await new Promise((r) => setTimeout(r, NATIVE_DROP_WAIT_MS + 100));
      expect(fake.callsTo('ImportPaths')).toEqual([[['/home/rider/Downloads/export_1.zip']]]);
      expect(fake.callsTo('ImportFiles')).toHaveLength(0);

      // The paths first, then the drop event of the same drop.
      fake.dropPaths?.(['/media/rider/GARMIN/Activity']);
      await settle();
      await importer.drop(dropped(new File(['x'], 'a.fit')));
      await new Promise((r) => setTimeout(r, NATIVE_DROP_WAIT_MS + 100));
      expect(fake.callsTo('ImportPaths')).toHaveLength(2);
      expect(fake.callsTo('ImportFiles')).toHaveLength(0);
    } finally {
      stop();
    }
    expect(fake.dropPaths).toBeUndefined();
  });

  it('reads the dropped bytes when the window names no paths (a drag from an app that offers data)', async () => {
    const fake = new WindowWithDrops().install();
    const stop = importer.listenForDrops();
    try {
      await importer.drop(dropped(new File(['x'], 'ride.fit')));
      expect(fake.callsTo('ImportFiles')).toHaveLength(0);
      await new Promise((r) => setTimeout(r, NATIVE_DROP_WAIT_MS + 100));
      await settle();
      const calls = fake.callsTo('ImportFiles');
      expect(calls).toHaveLength(1);
      expect((calls[0][0] as ImportFile[]).map((f) => f.name)).toEqual(['ride.fit']);
    } finally {
      stop();
    }
  });

  it('in a browser, reads the dropped files at once', async () => {
    const fake = new FakeApi().install();
    const stop = importer.listenForDrops();
    await importer.drop(dropped(new File(['x'], 'ride.fit')));
    stop();
    expect(fake.callsTo('ImportFiles')).toHaveLength(1);
  });
});

describe('sending files up from a browser', () => {
  it('keeps a chosen folder’s files together, without its photos, and loose files in batches', () => {
    const loose = Array.from({ length: 25 }, (_, i) => new File(['x'], `ride-${i}.fit`));
    const folder = [
      fileIn('export_7/activities.csv'),
      fileIn('export_7/activities/1.fit.gz'),
      fileIn('export_7/media/photo.JPG'),
      fileIn('export_7/activities/2.GPX'),
    ];
    const other = [fileIn('GARMIN/Activity/a.fit'), fileIn('GARMIN/Activity/b.FIT')];
    const batches = uploadBatches([...loose.slice(0, 3), ...folder, ...loose.slice(3), ...other]);
    const names = batches.map((b) => b.map((f) => f.webkitRelativePath || f.name));
    expect(names[0]).toEqual(['ride-0.fit', 'ride-1.fit', 'ride-2.fit']);
    expect(names[1]).toEqual(['export_7/activities.csv', 'export_7/activities/1.fit.gz', 'export_7/activities/2.GPX']);
    expect(names[2]).toHaveLength(20);
    expect(names[3]).toEqual(['ride-23.fit', 'ride-24.fit']);
    expect(names[4]).toEqual(['GARMIN/Activity/a.fit', 'GARMIN/Activity/b.FIT']);
    expect(batches).toHaveLength(5);
  });
});

describe('dropping more while an import goes on', () => {
  it('imports what was dropped right after the import before it', async () => {
    const fake = new WindowWithDrops().install();
    let finish: (v: unknown) => void = () => {};
    fake.handlers.ImportPaths = (paths: string[]) =>
      paths[0] === '/first.zip' ? new Promise((r) => (finish = r)) : { activities: [] };
    const stop = importer.listenForDrops();
    try {
      const first = importer.dropped(['/first.zip']);
      await settle();
      fake.dropPaths?.(['/second.fit']);
      expect(fake.callsTo('ImportPaths')).toHaveLength(1);
      finish({ activities: [] });
      await first;
      expect(fake.callsTo('ImportPaths')).toEqual([[['/first.zip']], [['/second.fit']]]);
    } finally {
      stop();
    }
  });
});
