// The app's overall state, plus notices from continuous sync and short-lived toasts.
import { api, errorText } from '../lib/api';
import { locale, t } from '../lib/i18n/index.svelte';
import type { IntervalsStatus, Notice, Status } from '../lib/types';

export interface Toast {
  id: number;
  message: string;
  tone: 'info' | 'ok' | 'bad';
  /** The run an automatic upload belongs to: the toast leads to it. */
  runId?: number;
}

class StatusStore {
  private current = $state<Status | null>(null);
  /** Setting it also tells the window the Intervals.icu athlete's distance unit. */
  get status(): Status | null {
    return this.current;
  }
  set status(s: Status | null) {
    this.current = s;
    const u = s?.intervals?.units;
    locale.athleteUnits = u === 'km' || u === 'mi' ? u : '';
  }
  loading = $state(false);
  error = $state('');
  notices = $state<Notice[]>([]);
  toasts = $state<Toast[]>([]);
  private nextToast = 1;

  async load(): Promise<Status | null> {
    this.loading = true;
    this.error = '';
    try {
      const s = await api.Status();
      this.status = s;
      this.notices = s.notices ?? [];
      return s;
    } catch (err) {
      this.error = errorText(err);
      return null;
    } finally {
      this.loading = false;
    }
  }

  setIntervals(i: IntervalsStatus) {
    if (this.status) this.status = { ...this.status, intervals: i };
  }

  async startDemo(): Promise<boolean> {
    try {
      const s = await api.StartDemo();
      this.status = s;
      this.notices = s.notices ?? [];
      this.toast(t('app.demoStarted'), 'ok');
      return true;
    } catch (err) {
      this.toast(errorText(err), 'bad');
      return false;
    }
  }

  toast(message: string, tone: Toast['tone'] = 'info', ms = 8000, runId?: number) {
    const id = this.nextToast++;
    this.toasts = [...this.toasts, { id, message, tone, runId }];
    if (ms > 0) setTimeout(() => this.dismiss(id), ms);
  }

  dismiss(id: number) {
    this.toasts = this.toasts.filter((t) => t.id !== id);
  }

  /** Listens for notices; returns the unsubscribe. */
  init(): () => void {
    return api.on('notice', (n) => {
      if (!n) return;
      this.notices = [n, ...this.notices].slice(0, 50);
      this.toast(n.message, 'info', n.run_id ? 20000 : 8000, n.run_id);
    });
  }

  reset() {
    this.status = null;
    this.loading = false;
    this.error = '';
    this.notices = [];
    this.toasts = [];
  }
}

export const statusStore = new StatusStore();
