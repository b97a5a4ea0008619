// Rides a crash left unsaved (a recording app's in-progress file), and recovering them into the library.
import { api, errorText } from '../lib/api';
import type { ActivityView, CrashedRide } from '../lib/types';
import { activitiesStore } from './activities.svelte';

/** A recording is one ride at one path: the recording app reuses the path for the next ride. */
export function rideKey(r: CrashedRide): string {
  return `${r.source}\n${r.path}\n${r.start}`;
}

export interface RecoveredNote {
  ride: CrashedRide;
  activity: ActivityView;
}

class CrashedStore {
  /** As the backend listed them; the rows' indexes are positions here. */
  rides = $state<CrashedRide[]>([]);
  loaded = $state(false);
  /**
   * Rides recovered while the app is open. The app's own folder is left as it is,
   * so the backend can list a recovered ride again; it is not offered twice.
   */
  done = $state<Record<string, ActivityView>>({});
  /** What was recovered, shown until the rider closes the note. */
  notes = $state<RecoveredNote[]>([]);
  busy = $state<Record<string, boolean>>({});
  /** Why a recovery failed, per ride, in the backend's words. */
  errors = $state<Record<string, string>>({});
  /** Why the list could not be read (kept for debugging; the calendar stays quiet about it). */
  error = $state('');

  pending = $derived(this.rides.filter((r) => !this.done[rideKey(r)]));

  private seq = 0;

  async load() {
    const seq = ++this.seq;
    this.error = '';
    try {
      const rides = (await api.CrashedRides()) ?? [];
      if (seq !== this.seq) return;
      this.rides = rides;
      this.loaded = true;
    } catch (err) {
      if (seq === this.seq) this.error = errorText(err);
    }
  }

  async recover(ride: CrashedRide): Promise<boolean> {
    const k = rideKey(ride);
    if (this.busy[k]) return false;
    this.busy = { ...this.busy, [k]: true };
    this.errors = { ...this.errors, [k]: '' };
    try {
      const activity = await api.RecoverRide(ride.source, ride.path);
      this.done = { ...this.done, [k]: activity };
      this.notes = [...this.notes, { ride, activity }];
      void activitiesStore.load();
      return true;
    } catch (err) {
      this.errors = { ...this.errors, [k]: errorText(err) };
      return false;
    } finally {
      this.busy = { ...this.busy, [k]: false };
    }
  }

  dismissNotes() {
    this.notes = [];
  }

  reset() {
    this.seq++;
    this.rides = [];
    this.loaded = false;
    this.done = {};
    this.notes = [];
    this.busy = {};
    this.errors = {};
    this.error = '';
  }
}

export const crashedStore = new CrashedStore();
