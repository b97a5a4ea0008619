// The rider's settings, and the theme they pick.
import { api, errorText } from '../lib/api';
import type { Settings } from '../lib/types';

export const DEFAULT_SETTINGS: Settings = {
  continuous_sync: false,
  poll_minutes: 30,
  theme: 'system',
  strava_matches_duplicate: true,
  wizard_done: false,
  wizard_step: '',
  workouts_sync: false,
  no_update_check: false,
};

/** Light or dark by choice; "system" leaves it to prefers-color-scheme. */
export function applyTheme(theme: string) {
  if (typeof document === 'undefined') return;
  const root = document.documentElement;
  if (theme === 'light' || theme === 'dark') root.dataset.theme = theme;
  else delete root.dataset.theme;
}

class SettingsStore {
  settings = $state<Settings>({ ...DEFAULT_SETTINGS });
  saving = $state(false);
  error = $state('');

  set(s: Settings | null | undefined) {
    if (!s) return;
    this.settings = { ...DEFAULT_SETTINGS, ...s };
    applyTheme(this.settings.theme);
  }

  async load() {
    try {
      this.set(await api.GetSettings());
    } catch (err) {
      this.error = errorText(err);
    }
  }

  /** Saves a change; the screen shows it at once and settles on what the backend kept. */
  async save(patch: Partial<Settings>): Promise<boolean> {
    const next = { ...this.settings, ...patch };
    this.settings = next;
    applyTheme(next.theme);
    this.saving = true;
    this.error = '';
    try {
      this.set(await api.SaveSettings(next));
      return true;
    } catch (err) {
      this.error = errorText(err);
      return false;
    } finally {
      this.saving = false;
    }
  }

  reset() {
    this.settings = { ...DEFAULT_SETTINGS };
    this.saving = false;
    this.error = '';
  }
}

export const settingsStore = new SettingsStore();
