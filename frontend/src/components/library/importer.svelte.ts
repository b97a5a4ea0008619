// Adding files by hand: native dialogs in the window, file inputs and drag-and-drop everywhere.
import { api, errorText, uploadFile, uploadsInParts } from '../../lib/api';
import { dayOf, parseDay } from '../../lib/format';
import { t } from '../../lib/i18n/index.svelte';
import type { ActivityView, ArchiveProgress } from '../../lib/types';
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
// The name a file goes up under: with its path inside a picked or dropped folder
// ("export_1/activities/1.fit"), so an unpacked export is recognised by its layout.
const pathOf = new WeakMap<File, string>();
function nameOf(f: File): string {
  return pathOf.get(f) || f.webkitRelativePath || f.name;
}

async function filesOf(entry: FileSystemEntry, depth = 0): Promise<File[]> {
  if (entry.isFile) {
    const path = entry.fullPath.replace(/^\//, '');
    return new Promise((resolve) =>
      (entry as FileSystemFileEntry).file(
        (f) => {
          if (path) pathOf.set(f, path);
          resolve([f]);
        },
        () => resolve([]),
      ),
    );
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

/** The activity budget per file; the backend refuses more, so it is not sent. */
const MAX_FILE = 64 * 2 ** 20;
/** What one call hands the window at most, unless a single file is larger. */
const CALL_BYTES = 8 * 2 ** 20;
/** Files imported together in browser mode, so uploads waiting on disk stay few. */
const BATCH = 20;

/** What a chosen folder holds that is worth sending: activity files, archives, an export's CSV. */
const WORTH_SENDING = /\.(fit|tcx|gpx)(\.gz)?$|\.(zip|csv)$/i;

/**
 * Browser mode: loose files go up BATCH at a time; a chosen folder's files
 * go together, so the backend sees its layout (an unpacked export), leaving
 * out what no import reads (an export's photos and videos).
 */
export function uploadBatches(files: File[]): File[][] {
  const out: File[][] = [];
  const folders = new Map<string, File[]>();
  let loose: File[] | null = null;
  for (const f of files) {
    const name = nameOf(f);
    const slash = name.indexOf('/');
    if (slash <= 0) {
      if (!loose || loose.length >= BATCH) out.push((loose = []));
      loose.push(f);
      continue;
    }
    if (!WORTH_SENDING.test(name)) continue;
    const top = name.slice(0, slash);
    let group = folders.get(top);
    if (!group) {
      folders.set(top, (group = []));
      out.push(group);
      loose = null;
    }
    group.push(f);
  }
  return out;
}

function refused(name: string, reason: string): ActivityView {
  return {
    id: 0, source: 'import', remote_id: '', file: name, name, state: 'unreadable', reason, permanent: true, next_try: '',
    sport: '', start: '', elapsed_s: 0, distance_m: 0, avg_power_w: 0, avg_hr: 0, device: '', intervals_id: '', intervals_url: '', matched_via: '',
  };
}

/**
 * How long a drop in the window waits for the window to name its paths
 * before reading the dropped bytes instead (a drag from an app that offers
 * data, not files).
 */
export const NATIVE_DROP_WAIT_MS = 1500;

class Importer {
  busy = $state(false);
  error = $state('');
  result = $state<ActivityView[] | null>(null);
  /** Bytes sent of the chosen files, while they go up. */
  progress = $state<{ sent: number; total: number } | null>(null);
  /** How far the import of an export archive has come, while it is read. */
  archive = $state<ArchiveProgress | null>(null);

  /** Imports run one after another: one dropped while another goes waits for it. */
  private chain: Promise<void> = Promise.resolve();
  private waiting = 0;

  /**
   * Runs one import after those before it. fn adds each file's entry to rows
   * as it is known, so a failure part way still shows what was imported; an
   * import that waited adds its entries to the result before it.
   */
  private run(fn: (rows: ActivityView[]) => Promise<void>): Promise<void> {
    const after = this.busy || this.waiting > 0;
    this.waiting++;
    this.chain = this.chain.then(() => this.runNow(fn, after)).finally(() => this.waiting--);
    return this.chain;
  }

  private async runNow(fn: (rows: ActivityView[]) => Promise<void>, after: boolean) {
    this.busy = true;
    this.error = '';
    const before = after ? (this.result ?? []) : [];
    this.result = after ? this.result : null;
    this.archive = null;
    const off = api.on('import_progress', (p) => (this.archive = p));
    const rows: ActivityView[] = [];
    try {
      await fn(rows);
    } catch (err) {
      this.error = errorText(err);
    } finally {
      this.busy = false;
      this.progress = null;
      this.archive = null;
      off();
    }
    if (rows.length === 0 && this.error) return;
    this.result = [...before, ...rows];
    // Show where the new activities landed.
    const first = rows.map((a) => dayOf(a.start)).find(Boolean);
    const { since, until } = activitiesStore.range;
    if (first && (first < since || first > until)) activitiesStore.goTo(parseDay(first));
    else await activitiesStore.load();
  }

  files(files: File[]) {
    const wanted = files.filter((f) => !f.name.startsWith('.'));
    if (wanted.length === 0) return Promise.resolve();
    return this.run((rows) => (uploadsInParts() ? this.upload(wanted, rows) : this.handOver(wanted, rows)));
  }

  /** Adds n bytes to what was sent of the chosen files. */
  private sent(n: number) {
    if (this.progress) this.progress = { ...this.progress, sent: this.progress.sent + n };
  }

  /** Browser mode: each file goes up in parts, a batch at a time is imported. */
  private async upload(chosen: File[], rows: ActivityView[]) {
    const batches = uploadBatches(chosen);
    this.progress = { sent: 0, total: batches.flat().reduce((n, f) => n + f.size, 0) };
    for (const files of batches) {
      const batch: { name: string; id: string }[] = [];
      const order: (ActivityView | null)[] = [];
      for (const f of files) {
        let sentOfFile = 0;
        try {
          batch.push({
            name: nameOf(f),
            id: await uploadFile(f, (n) => {
              sentOfFile += n;
              this.sent(n);
            }),
          });
          order.push(null);
        } catch (err) {
          order.push(refused(f.name, errorText(err)));
          this.sent(f.size - sentOfFile);
        }
      }
      const got = batch.length ? ((await api.ImportUploads(batch)).activities ?? []) : [];
      if (got.length === batch.length) {
        let next = 0;
        for (const o of order) rows.push(o ?? got[next++]);
      } else {
        // An export archive gave one entry per activity in it.
        rows.push(...order.filter((o): o is ActivityView => o !== null), ...got);
      }
    }
  }

  /** The window: files go in calls of at most a few MB each, so no call carries them all. */
  private async handOver(files: File[], rows: ActivityView[]) {
    this.progress = { sent: 0, total: files.reduce((n, f) => n + f.size, 0) };
    let batch: File[] = [];
    let size = 0;
    const send = async () => {
      if (batch.length === 0) return;
      const payload = [];
      for (const f of batch) payload.push({ name: nameOf(f), data_base64: await toBase64(f) });
      rows.push(...((await api.ImportFiles(payload)).activities ?? []));
      this.sent(size);
      batch = [];
      size = 0;
    };
    for (const f of files) {
      if (f.size > MAX_FILE) {
        await send();
        rows.push(refused(f.name, t('import.tooLarge', { mib: MAX_FILE / 2 ** 20 })));
        this.sent(f.size);
        continue;
      }
      if (size + f.size > CALL_BYTES) await send();
      batch.push(f);
      size += f.size;
    }
    await send();
  }

  paths(paths: string[]) {
    if (paths.length === 0) return Promise.resolve();
    return this.run(async (rows) => {
      rows.push(...((await api.ImportPaths(paths)).activities ?? []));
    });
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

  /** Whether the window hands dropped files over as paths. */
  private nativeDrops = false;
  /** When the window last named dropped paths. */
  private nativeDropAt = 0;
  /** The dropped bytes' import, waiting for the window's paths. */
  private fallback: ReturnType<typeof setTimeout> | null = null;

  /** Takes dropped files as paths where the window offers them; returns how to stop. */
  listenForDrops(): () => void {
    const off = api.onFileDrop((paths) => void this.dropped(paths));
    if (!off) return () => {};
    this.nativeDrops = true;
    return () => {
      this.nativeDrops = false;
      // Bytes of a drop still waiting for its paths are not read after the library is gone.
      if (this.fallback) clearTimeout(this.fallback);
      this.fallback = null;
      off();
    };
  }

  /** Files dropped on the window, by path: read where they are, like "Add files…". */
  dropped(paths: string[]) {
    this.nativeDropAt = Date.now();
    if (this.fallback) clearTimeout(this.fallback);
    this.fallback = null;
    return this.paths(paths); // after any import still going
  }

  async drop(dt: DataTransfer | null) {
    if (!dt) return;
    // Entries are only to be had while the drop event lasts.
    const entries = [...dt.items]
      .map((i) => (typeof i.webkitGetAsEntry === 'function' ? i.webkitGetAsEntry() : null))
      .filter((x): x is FileSystemEntry => !!x);
    const loose = [...dt.files];
    const read = async () => {
      if (entries.length === 0) return this.files(loose);
      const files: File[] = [];
      for (const en of entries) files.push(...(await filesOf(en)));
      return this.files(files);
    };
    if (!this.nativeDrops) return read();
    // The window names the paths of the same drop, before or after this event.
    if (Date.now() - this.nativeDropAt < NATIVE_DROP_WAIT_MS) return;
    if (this.fallback) clearTimeout(this.fallback);
    this.fallback = setTimeout(() => {
      this.fallback = null;
      void read();
    }, NATIVE_DROP_WAIT_MS);
  }

  clear() {
    this.result = null;
    this.error = '';
  }
}

export const importer = new Importer();
