import { describe, expect, it } from 'vitest';
import ImportButtons from '../src/components/library/ImportButtons.svelte';
import ImportResult from '../src/components/library/ImportResult.svelte';
import { importer } from '../src/components/library/importer.svelte';
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
