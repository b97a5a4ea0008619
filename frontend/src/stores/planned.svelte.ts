// Planned workouts: where each of the coming days' workouts went, and the
// places that take them.
import { api, errorText } from '../lib/api';
import type { PlannedView, WorkoutResult, WorkoutTargetInfo } from '../lib/types';

function isoDay(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

class PlannedStore {
  /** Planned workouts by day (YYYY-MM-DD). */
  byDay = $state<Record<string, PlannedView[]>>({});
  targets = $state<WorkoutTargetInfo[]>([]);
  lastRun = $state<WorkoutResult[] | null>(null);
  sending = $state(false);
  error = $state('');

  /** Loads the planned workouts shown between two days. */
  async load(from: Date, to: Date) {
    try {
      const list = (await api.PlannedWorkouts(isoDay(from), isoDay(to))) ?? [];
      const byDay: Record<string, PlannedView[]> = {};
      for (const p of list) (byDay[p.date] ??= []).push(p);
      this.byDay = byDay;
    } catch (err) {
      this.error = errorText(err);
    }
  }

  async loadTargets() {
    try {
      this.targets = (await api.WorkoutTargets()) ?? [];
    } catch (err) {
      this.error = errorText(err);
    }
  }

  /** Sends the next two weeks now, to every connected place that takes them. */
  async sendNow() {
    this.sending = true;
    this.error = '';
    try {
      this.lastRun = (await api.DeliverWorkouts({ to: [], days: 14, dryRun: false })) ?? [];
    } catch (err) {
      this.error = errorText(err);
    } finally {
      this.sending = false;
    }
  }
}

export const plannedStore = new PlannedStore();
