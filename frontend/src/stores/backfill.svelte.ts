// The current or last run that brings history into Intervals.icu.
import { api, errorText } from '../lib/api';
import type { BackfillRequest, Progress } from '../lib/types';

class BackfillStore {
  progress = $state<Progress | null>(null);
  error = $state('');
  busy = $state(false);

  active = $derived(!!this.progress?.running);

  // Events and call answers travel apart: a short run's last event can come
  // before the answer of the call that started it. An answer is applied only
  // when no event came while it was on its way, so an older "running" never
  // covers a newer "done".
  private events = 0;

  set(p: Progress | null | undefined) {
    if (p) this.progress = p;
  }

  private answer(p: Progress | null | undefined, sentAt: number) {
    if (this.events === sentAt) this.set(p);
  }

  async load() {
    try {
      const sentAt = this.events;
      this.answer(await api.Progress(), sentAt);
    } catch (err) {
      this.error = errorText(err);
    }
  }

  private async act(fn: () => Promise<Progress | void>): Promise<boolean> {
    this.busy = true;
    this.error = '';
    try {
      let sentAt = this.events;
      const p = await fn();
      if (!p) {
        sentAt = this.events;
        this.answer(await api.Progress(), sentAt);
      } else this.answer(p, sentAt);
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
    return api.on('progress', (p) => {
      this.events++;
      this.set(p);
    });
  }

  reset() {
    this.events = 0;
    this.progress = null;
    this.error = '';
    this.busy = false;
  }
}

export const backfillStore = new BackfillStore();
