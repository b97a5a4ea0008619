// The current or last run that brings history into Intervals.icu.
import { api, errorText } from '../lib/api';
import type { BackfillRequest, Progress } from '../lib/types';

class BackfillStore {
  progress = $state<Progress | null>(null);
  error = $state('');
  busy = $state(false);

  active = $derived(!!this.progress?.running);

  set(p: Progress | null | undefined) {
    if (p) this.progress = p;
  }

  async load() {
    try {
      this.set(await api.Progress());
    } catch (err) {
      this.error = errorText(err);
    }
  }

  private async act(fn: () => Promise<Progress | void>): Promise<boolean> {
    this.busy = true;
    this.error = '';
    try {
      const p = await fn();
      if (p) this.set(p);
      else this.set(await api.Progress());
      return true;
    } catch (err) {
      this.error = errorText(err);
      return false;
    } finally {
      this.busy = false;
    }
  }

  start(req: Partial<BackfillRequest>) {
    const full: BackfillRequest = { sources: [], since: '', until: '', ids: [], dry_run: false, ...req };
    return this.act(() => api.StartBackfill(full));
  }
  pause() {
    return this.act(() => api.PauseBackfill());
  }
  resume() {
    return this.act(() => api.ResumeBackfill());
  }
  cancel() {
    return this.act(() => api.CancelBackfill());
  }
  retry(ids: number[]) {
    return this.act(() => api.RetryFailed(ids));
  }

  init(): () => void {
    return api.on('progress', (p) => this.set(p));
  }

  reset() {
    this.progress = null;
    this.error = '';
    this.busy = false;
  }
}

export const backfillStore = new BackfillStore();
