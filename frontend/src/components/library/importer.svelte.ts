// Adding files by hand: native dialogs in the window, file inputs and drag-and-drop everywhere.
import { api, errorText } from '../../lib/api';
import { dayOf, parseDay } from '../../lib/format';
import { t } from '../../lib/i18n/index.svelte';
import type { ActivityView, ImportFile } from '../../lib/types';
import { activitiesStore } from '../../stores/activities.svelte';

function toBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => {
      const s = String(r.result ?? '');
      resolve(s.slice(s.indexOf(',') + 1));
    };
    r.onerror = () => reject(r.error ?? new Error(t('import.couldNotRead', { file: file.name })));
    r.readAsDataURL(file);
  });
}

// Dropped folders arrive as entries; walk them for their files, skipping hidden ones.
async function filesOf(entry: FileSystemEntry, depth = 0): Promise<File[]> {
  if (entry.isFile) {
    return new Promise((resolve) => (entry as FileSystemFileEntry).file((f) => resolve([f]), () => resolve([])));
  }
  if (!entry.isDirectory || depth > 8) return [];
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  const out: File[] = [];
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve) => reader.readEntries(resolve, () => resolve([])));
    if (batch.length === 0) break;
    for (const e of batch) if (!e.name.startsWith('.')) out.push(...(await filesOf(e, depth + 1)));
  }
  return out;
}

class Importer {
  busy = $state(false);
  error = $state('');
  result = $state<ActivityView[] | null>(null);

  private async run(fn: () => Promise<{ activities: ActivityView[] | null }>) {
    this.busy = true;
    this.error = '';
    this.result = null;
    try {
      const rows = (await fn()).activities ?? [];
      this.result = rows;
      // Show where the new activities landed.
      const first = rows.map((a) => dayOf(a.start)).find(Boolean);
      const { since, until } = activitiesStore.range;
      if (first && (first < since || first > until)) activitiesStore.goTo(parseDay(first));
      else await activitiesStore.load();
    } catch (err) {
      this.error = errorText(err);
    } finally {
      this.busy = false;
    }
  }

  files(files: File[]) {
    const wanted = files.filter((f) => !f.name.startsWith('.'));
    if (wanted.length === 0) return Promise.resolve();
    return this.run(async () => {
      const payload: ImportFile[] = [];
      for (const f of wanted) payload.push({ name: f.name, data_base64: await toBase64(f) });
      return api.ImportFiles(payload);
    });
  }

  paths(paths: string[]) {
    if (paths.length === 0) return Promise.resolve();
    return this.run(() => api.ImportPaths(paths));
  }

  async pickFiles() {
    try {
      await this.paths((await api.PickFiles()) ?? []);
    } catch (err) {
      this.error = errorText(err);
    }
  }

  async pickFolder() {
    try {
      const p = await api.PickFolder();
      if (p) await this.paths([p]);
    } catch (err) {
      this.error = errorText(err);
    }
  }

  async drop(dt: DataTransfer | null) {
    if (!dt) return;
    const entries = [...dt.items]
      .map((i) => (typeof i.webkitGetAsEntry === 'function' ? i.webkitGetAsEntry() : null))
      .filter((x): x is FileSystemEntry => !!x);
    if (entries.length === 0) return this.files([...dt.files]);
    const files: File[] = [];
    for (const en of entries) files.push(...(await filesOf(en)));
    return this.files(files);
  }

  clear() {
    this.result = null;
    this.error = '';
  }
}

export const importer = new Importer();
